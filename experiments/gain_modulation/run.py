"""Gain modulation of a structured + random network (Chaudhuri & Handebagh 2024, Fig. 4).

- calibration: scan of the structure strength J_s: fraction of random starts retrieving a
  pattern at g = 0 vs fraction still moving after 200 tau at g = 1, 3, 5, 8 (the card's J_s);
- retrieval: at g = 0, fraction of random starts ending in a stored pattern (|m| > 0.9);
- Fig 4c-d: g in {0, 3, 5, 8}: traces, overlaps and orthogonal projections (heat maps);
- Fig 4e: g(t) cycling between 1 and 8; memories visited over cycles and seeds;
- sweep: switching rate, time in memories and decorrelation time vs constant g;
- table: memories per cycle and switching rate vs g_high of the cycle.

Writes ``results/*.json`` and PNGs under ``[experiment] out`` (relative to the
repository root) or the ``out`` argument.

Usage::

    python experiments/gain_modulation/run.py experiments/gain_modulation/config.toml
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import matplotlib
import numpy as np

from neurochaos.analysis.memory import (
    compute_orthogonal_activity,
    compute_overlaps,
    count_switches,
    identify_memory,
    measure_decorrelation_time,
    measure_motion,
    project_orthogonal,
)
from neurochaos.errors import ConfigError
from neurochaos.experiment import experiment_cli, read_config, results_folder, save_run_record
from neurochaos.io import save_json
from neurochaos.model import load_card
from neurochaos.plotting import new_figure, plot_gain_cycle, save_figure
from neurochaos.protocols import GainCycle, build_memory_network, run_gain_cycle, run_gain_protocol
from neurochaos.validation import Interval, ListOf, NonEmptyString, fail

LOG = logging.getLogger("neurochaos.experiments.gain_modulation")
SECTIONS = {
    "experiment": {"out"},
    "network": {"model", "N", "P", "structure", "dt", "record_every", "threshold", "settle_threshold"},
    "calibration": {"structures", "gains", "T", "start", "seeds", "chains", "moving_threshold"},
    "retrieval": {"g", "T", "seeds", "chains", "structures"},
    "fig4cd": {"gains", "T", "seed", "units"},
    "fig4e": {"g_low", "g_high", "period", "duty", "cycles", "seeds", "chains"},
    "sweep": {"gains", "T", "transient", "max_lag", "seeds", "chains"},
    "table": {"g_highs", "seeds", "chains"},
}


_POSITIVE = Interval(float, 0.0, closed="neither")
_TIME = _POSITIVE  # a duration, units of tau
_GAIN = Interval(float, 0.0)
_SEEDS = ListOf(Interval(int, 0))
_CHAINS = Interval(int, 1)
_FRACTION = Interval(float, 0.0, 1.0, closed="right")  # (0, 1]
#: Section -> key -> constraint: every value of the config, checked before anything runs.
CONSTRAINTS = {
    "experiment": {"out": NonEmptyString()},
    "network": {
        "model": NonEmptyString(),
        "N": Interval(int, 2),
        "P": Interval(int, 1),
        "structure": _POSITIVE,
        "dt": Interval(float, 0.0, 1.0, closed="neither"),
        "record_every": Interval(int, 1),
        "threshold": _FRACTION,
        "settle_threshold": _FRACTION,
    },
    "calibration": {
        "structures": ListOf(_POSITIVE),
        "gains": ListOf(_GAIN),
        "T": _TIME,
        "start": Interval(float, 0.0),
        "seeds": _SEEDS,
        "chains": _CHAINS,
        "moving_threshold": Interval(float, 0.0),
    },
    "retrieval": {"g": _GAIN, "T": _TIME, "seeds": _SEEDS, "chains": _CHAINS, "structures": ListOf(_POSITIVE)},
    "fig4cd": {"gains": ListOf(_GAIN), "T": _TIME, "seed": Interval(int, 0), "units": Interval(int, 1)},
    "fig4e": {
        "g_low": _GAIN,
        "g_high": _GAIN,
        "period": _TIME,
        "duty": Interval(float, 0.0, 1.0, closed="neither"),
        "cycles": Interval(int, 1),
        "seeds": _SEEDS,
        "chains": _CHAINS,
    },
    "sweep": {
        "gains": ListOf(_GAIN),
        "T": _TIME,
        "transient": Interval(float, 0.0),
        "max_lag": _TIME,
        "seeds": _SEEDS,
        "chains": _CHAINS,
    },
    "table": {"g_highs": ListOf(_GAIN), "seeds": _SEEDS, "chains": _CHAINS},
}


def load_config(path) -> dict:
    """Read the TOML and check all of it before anything runs.

    Every section of :data:`SECTIONS` is required, with all its keys; unknown keys are
    errors; every value meets :data:`CONSTRAINTS` and the rules between values (P < N,
    calibration start <= T, units <= N, sweep max_lag <= T, a valid gain cycle for
    fig4e's g_high and each of the table's g_highs, a card with a hopfield pathway).
    Values are stored back converted (ints given for floats become floats).
    """
    cfg = read_config(path, SECTIONS, complete=True)
    where = str(path)
    for section, table in CONSTRAINTS.items():
        for key, constraint in table.items():
            if key in cfg[section]:  # [experiment] out is optional
                value = constraint.check(cfg[section][key], f"{section}.{key}", where)
                cfg[section][key] = list(value) if isinstance(value, tuple) else value
    n = cfg["network"]
    if n["P"] >= n["N"]:
        fail("network.P", f"< network.N = {n['N']}", n["P"], where)
    card = load_card(n["model"])
    if not any(p.recipe == "hopfield" for p in card.pathways):
        fail("network.model", "a card with a hopfield pathway (stored patterns)", n["model"], where)
    c = cfg["calibration"]
    if c["start"] > c["T"]:
        fail("calibration.start", f"<= calibration.T = {c['T']:g} tau", c["start"], where)
    if cfg["fig4cd"]["units"] > n["N"]:
        fail("fig4cd.units", f"<= network.N = {n['N']}", cfg["fig4cd"]["units"], where)
    sw = cfg["sweep"]
    if sw["max_lag"] > sw["T"]:
        fail("sweep.max_lag", f"<= the measured window sweep.T = {sw['T']:g} tau", sw["max_lag"], where)
    e = cfg["fig4e"]
    for section, g_high in [("fig4e.g_high", e["g_high"])] + [("table.g_highs", g) for g in cfg["table"]["g_highs"]]:
        try:
            GainCycle(low=e["g_low"], high=g_high, period=e["period"], duty=e["duty"], cycles=e["cycles"])
        except ConfigError as exc:
            raise ConfigError(f"{exc} (gain cycle of {section} = {g_high:g}; {where})") from None
    return cfg


def _net(cfg, seed, g=0.0, structure=None):
    n = cfg["network"]
    s = n["structure"] if structure is None else structure
    return build_memory_network(n["model"], N=n["N"], P=n["P"], g=g, structure=s, seed=seed)


def _run(cfg, net, protocol, T, chains, seed):
    n = cfg["network"]
    return run_gain_protocol(net, protocol, T=T, chains=chains, seed=seed, dt=n["dt"], record_every=n["record_every"])


def _finite(v):
    return None if v is None or not math.isfinite(v) else float(v)


def calibration(cfg, folder: Path) -> dict:
    """Scan of J_s: retrieval at g = 0 and the fraction of starts still moving at each g.

    For every structure strength s and gain g: ``chains`` random starts on each of the
    ``seeds`` networks run ``T`` tau; a start *retrieves* when its final max |m_mu| > 0.9,
    *moves* when :func:`measure_motion` after ``start`` exceeds ``moving_threshold``, and
    spends the fraction of records after ``start`` with max |m_mu| >= threshold "in a memory".
    """
    c, n = cfg["calibration"], cfg["network"]
    rows = []
    for s in c["structures"]:
        for g in c["gains"]:
            best, moving, inmem, orth = [], [], [], []
            for seed in c["seeds"]:
                run = _run(cfg, _net(cfg, seed, g, s), g, c["T"], c["chains"], seed + 1)
                keep = run.t >= c["start"] - 1e-9
                m = np.abs(compute_overlaps(run.x[keep], run.network.patterns)).max(axis=-1)
                best.extend(m[-1].tolist())
                inmem.extend((m >= n["threshold"]).mean(axis=0).tolist())
                moving.extend(measure_motion(run.x, run.t, start=c["start"]).tolist())
                orth.append(float(compute_orthogonal_activity(run.x[keep], run.network.patterns).mean()))
            moving = np.array(moving)
            rows.append(
                {
                    "structure": s,
                    "g": g,
                    "starts": len(best),
                    "retrieving": float(np.mean(np.array(best) > 0.9)),
                    "moving": float(np.mean(moving > c["moving_threshold"])),
                    "median_motion": float(np.median(moving)),
                    "time_in_memory": float(np.mean(inmem)),
                    "orthogonal_activity": float(np.mean(orth)),
                }
            )
        LOG.info("calibration structure %g done", s)
    _plot_calibration(rows, c, folder / "calibration_structure.png")
    gains = c["gains"]
    head = "| J_s | " + " | ".join(f"g = {g:g}: retrieving / moving / in memory" for g in gains) + " |"
    lines = [head, "|---" * (len(gains) + 1) + "|"]
    for s in c["structures"]:
        cells = [
            f"{r['retrieving']:.2f} / {r['moving']:.2f} / {r['time_in_memory']:.2f}"
            for r in rows
            if r["structure"] == s
        ]
        lines.append(f"| {s:g} | " + " | ".join(cells) + " |")
    (folder / "calibration_structure.md").write_text("\n".join(lines) + "\n")
    return {"rows": rows, "markdown": "\n".join(lines), "T": c["T"], "start": c["start"]}


def _plot_calibration(rows, c, path):
    fig, axes = new_figure(1, 3, figsize=(12, 3.4))
    viridis = matplotlib.colormaps["viridis"]
    for k, s in enumerate(c["structures"]):
        sel = [r for r in rows if r["structure"] == s]
        gs = [r["g"] for r in sel]
        for ax, key in zip(axes, ("retrieving", "moving", "time_in_memory")):
            ax.plot(
                gs,
                [r[key] for r in sel],
                "-o",
                ms=3,
                color=viridis(k / max(1, len(c["structures"]) - 1)),
                label=f"J_s = {s:g}",
            )
    for ax, label in zip(
        axes,
        (
            "fraction retrieving (final max|m| > 0.9)",
            f"fraction still moving after {c['start']:g} tau",
            "fraction of time in a memory",
        ),
    ):
        ax.set_xlabel("g")
        ax.set_ylabel(label, fontsize=8)
        ax.set_ylim(-0.03, 1.03)
    axes[1].legend(fontsize=7)
    fig.suptitle(
        f"structure strength scan ({len(c['seeds'])} networks x {c['chains']} starts, T = {c['T']:g} tau)", fontsize=10
    )
    fig.tight_layout()
    save_figure(fig, path)


def retrieval(cfg) -> dict:
    """Fraction of random starts whose final state has |m_mu| > 0.9 for some mu, per structure strength."""
    r = cfg["retrieval"]
    out = {}
    for s in r["structures"]:
        best = []
        for seed in r["seeds"]:
            run = _run(cfg, _net(cfg, seed, r["g"], s), r["g"], r["T"], r["chains"], seed + 1)
            best.extend(np.abs(compute_overlaps(run.x_final, run.network.patterns)).max(axis=1).tolist())
        best = np.array(best)
        out[f"structure={s:g}"] = {
            "starts": len(best),
            "fraction_overlap_gt_0.9": float(np.mean(best > 0.9)),
            "median_max_overlap": float(np.median(best)),
        }
        LOG.info("retrieval structure %g: %.2f of %d starts", s, np.mean(best > 0.9), len(best))
    return {"g": r["g"], "T": r["T"], "by_structure": out}


def fig4cd(cfg, folder: Path) -> dict:
    """Traces, overlaps and orthogonal projections for several constant gains."""
    f = cfg["fig4cd"]
    gains = f["gains"]
    fig, axes = new_figure(3, len(gains), figsize=(3.2 * len(gains), 7.5), sharex=True, squeeze=False)
    stats = {}
    for j, g in enumerate(gains):
        run = _run(cfg, _net(cfg, f["seed"], g), g, f["T"], 1, f["seed"] + 1)
        xi = run.network.patterns
        m = compute_overlaps(run.x, xi)[:, 0]
        orth = project_orthogonal(run.x, xi)[:, 0]
        t = run.t
        axes[0, j].plot(t, run.x[:, 0, : f["units"]], lw=0.7)
        axes[0, j].set_title(f"g = {g:g}", fontsize=10)
        ext = (t[0], t[-1], -0.5, m.shape[1] - 0.5)
        im1 = axes[1, j].imshow(m.T, aspect="auto", origin="lower", cmap="RdBu_r", vmin=-1, vmax=1, extent=ext)
        lim = 2.0 / math.sqrt(run.network.N)
        ext2 = (t[0], t[-1], -0.5, orth.shape[1] - 0.5)
        im2 = axes[2, j].imshow(orth.T, aspect="auto", origin="lower", cmap="RdBu_r", vmin=-lim, vmax=lim, extent=ext2)
        axes[2, j].set_xlabel("t (tau)")
        oa = compute_orthogonal_activity(run.x, xi)[:, 0]
        stats[f"{g:g}"] = {"mean_max_overlap": float(np.abs(m).max(axis=1).mean()), "mean_orthogonal": float(oa.mean())}
    axes[0, 0].set_ylabel("x_i (6 units)")
    axes[1, 0].set_ylabel("overlap m_mu")
    axes[2, 0].set_ylabel("orthogonal direction k")
    fig.colorbar(im1, ax=axes[1, -1], label="m_mu")
    fig.colorbar(im2, ax=axes[2, -1], label="(u_k . r) / sqrt(N)")
    fig.suptitle("Fig 4c-d: structured + random network at fixed g (one start each)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, folder / "fig4cd_heatmaps.png")
    return stats


def fig4e(cfg, folder: Path) -> dict:
    """Gain cycling 1 <-> 8: one example figure, memories visited over cycles and seeds."""
    e, n = cfg["fig4e"], cfg["network"]
    per_seed, cumulative = [], []
    for k, seed in enumerate(e["seeds"]):
        res = _cycle(cfg, e["g_high"], seed, e["chains"])
        if k == 0:
            plot_gain_cycle(res, folder / "fig4e_gain_cycle.png")
        settled = np.array(res.summary["settled_memories"])  # (cycles, M)
        for c in range(settled.shape[1]):
            seen, curve = set(), []
            for lab in settled[:, c]:
                if lab >= 0:
                    seen.add(int(lab))
                curve.append(len(seen))
            cumulative.append(curve)
        per_seed.append({"seed": seed, **{k2: res.summary[k2] for k2 in _SUMMARY_KEYS}})
    cum = np.array(cumulative, dtype=float)
    fig, ax = new_figure(figsize=(5, 3.5))
    cyc = np.arange(1, cum.shape[1] + 1)
    ax.plot(cyc, cum.T, color="0.8", lw=0.6)
    ax.plot(cyc, cum.mean(0), color="C3", lw=2, label=f"mean of {len(cum)} runs ({len(e['seeds'])} seeds)")
    ax.axhline(n["P"], ls="--", color="k", lw=0.8, label=f"P = {n['P']}")
    ax.set_xlabel("gain cycle")
    ax.set_ylabel("distinct memories settled into")
    ax.set_title(f"g cycling {e['g_low']:g} <-> {e['g_high']:g}, period {e['period']:g} tau", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, folder / "fig4e_memories_over_cycles.png")
    return {"per_seed": per_seed, "cumulative_distinct_mean": cum.mean(0).tolist()}


_SUMMARY_KEYS = (
    "memories_visited",
    "memories_per_cycle",
    "distinct_settled",
    "switches_per_tau",
    "settled_fraction",
    "settling_time",
)


def _cycle(cfg, g_high, seed, chains):
    e, n = cfg["fig4e"], cfg["network"]
    return run_gain_cycle(
        n["model"],
        N=n["N"],
        P=n["P"],
        g_low=e["g_low"],
        g_high=g_high,
        period=e["period"],
        duty=e["duty"],
        cycles=e["cycles"],
        structure=n["structure"],
        seed=seed,
        chains=chains,
        threshold=n["threshold"],
        settle_threshold=n["settle_threshold"],
        dt=n["dt"],
        record_every=n["record_every"],
    )


def sweep(cfg, folder: Path) -> dict:
    """Switching rate, time in a memory, orthogonal activity and decorrelation time vs constant g."""
    s, n = cfg["sweep"], cfg["network"]
    rows = []
    for g in s["gains"]:
        for seed in s["seeds"]:
            run = _run(cfg, _net(cfg, seed, g), g, s["T"] + s["transient"], s["chains"], seed + 1)
            keep = run.t >= s["transient"] - 1e-9
            x, xi = run.x[keep], run.network.patterns
            m = compute_overlaps(x, xi)
            lab, _ = identify_memory(m, n["threshold"])
            dt_rec = n["dt"] * n["record_every"]
            tau_d = measure_decorrelation_time(np.tanh(x), dt_rec, subtract_mean=False, max_lag=s["max_lag"])
            rows.append(
                {
                    "g": g,
                    "seed": seed,
                    "switches_per_tau": float(count_switches(lab).mean() / s["T"]),
                    "time_in_memory": float(np.mean(lab >= 0)),
                    "orthogonal_activity": float(compute_orthogonal_activity(x, xi).mean()),
                    "decorrelation_time": _finite(tau_d),
                    "decorrelation_censored": not math.isfinite(tau_d),
                }
            )
        LOG.info("sweep g = %g done", g)
    _plot_sweep(rows, s, folder / "sweep_vs_g.png")
    return {"rows": rows, "max_lag": s["max_lag"], "T": s["T"], "transient": s["transient"]}


def _plot_sweep(rows, s, path):
    gains = sorted({r["g"] for r in rows})
    fig, axes = new_figure(1, 3, figsize=(12, 3.4))
    for ax, key, label in (
        (axes[0], "switches_per_tau", "switches per tau"),
        (axes[1], "time_in_memory", "fraction of time in a memory"),
    ):
        for g in gains:
            v = [r[key] for r in rows if r["g"] == g]
            ax.plot([g] * len(v), v, "o", color="0.6", ms=3)
        ax.plot(gains, [np.mean([r[key] for r in rows if r["g"] == g]) for g in gains], "-o", color="C0")
        ax.set_xlabel("g")
        ax.set_ylabel(label)
    ax = axes[2]
    for r in rows:
        v = r["decorrelation_time"]
        ax.plot(r["g"], s["max_lag"] if v is None else v, "^" if v is None else "o", color="0.6", ms=4)
    med = [
        np.median(
            [s["max_lag"] if r["decorrelation_time"] is None else r["decorrelation_time"] for r in rows if r["g"] == g]
        )
        for g in gains
    ]
    ax.plot(gains, med, "-o", color="C3", label="median (triangles: > max lag)")
    ax.set_yscale("log")
    ax.set_xlabel("g")
    ax.set_ylabel("decorrelation time of tanh(x) (tau)")
    ax.legend(fontsize=7)
    fig.suptitle("constant g: memory switching and decorrelation (each grey point: one seed)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def table(cfg, folder: Path) -> dict:
    """Memories per cycle, distinct settled memories and switching rate vs g_high."""
    t = cfg["table"]
    rows = []
    for gh in t["g_highs"]:
        vals = [_cycle(cfg, gh, seed, t["chains"]).summary for seed in t["seeds"]]
        row = {"g_high": gh}
        for k in _SUMMARY_KEYS:
            v = [x[k] for x in vals if x[k] is not None]
            row[k] = float(np.mean(v)) if v else None
            row[k + "_sd"] = float(np.std(v)) if v else None
        rows.append(row)
        LOG.info(
            "table g_high = %g: %.2f memories/cycle, %.4f switches/tau",
            gh,
            row["memories_per_cycle"],
            row["switches_per_tau"],
        )
    lines = [
        "| g_high | memories per cycle | distinct settled | switches per tau | settled fraction | settling time (tau) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        st = "n/a" if r["settling_time"] is None else f"{r['settling_time']:.1f}"
        lines.append(
            f"| {r['g_high']:g} | {r['memories_per_cycle']:.2f} ± {r['memories_per_cycle_sd']:.2f} | "
            f"{r['distinct_settled']:.1f} | {r['switches_per_tau']:.4f} ± {r['switches_per_tau_sd']:.4f} | "
            f"{r['settled_fraction']:.2f} | {st} |"
        )
    (folder / "table_g_high.md").write_text("\n".join(lines) + "\n")
    return {"rows": rows, "markdown": "\n".join(lines)}


def main(config_path, out=None, progress: bool = False) -> Path:
    """Run every part of the experiment; returns the output folder.

    The whole config is checked first (:func:`load_config`): a bad value stops the run
    before any part runs or the output folder is created.
    """
    cfg = load_config(config_path)
    folder = results_folder(out, cfg["experiment"].get("out"), "out/gain_modulation")
    parts = {
        "calibration": calibration,
        "retrieval": retrieval,
        "fig4cd": fig4cd,
        "fig4e": fig4e,
        "sweep": sweep,
        "table": table,
    }
    seconds = {}
    for name, fn in parts.items():
        t1 = time.perf_counter()
        res = fn(cfg) if name == "retrieval" else fn(cfg, folder)
        seconds[name] = time.perf_counter() - t1
        save_json(folder / "results" / f"{name}.json", {"result": res, "seconds": seconds[name], "config": cfg})
    save_run_record(folder, config_path, cfg, seconds)
    return folder


if __name__ == "__main__":
    raise SystemExit(experiment_cli(main, __doc__, Path(__file__).with_name("config.toml")))
