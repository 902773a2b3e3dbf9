"""The transition to chaos in random rate networks, reproduced with neurochaos.

Figures (PNG) and results (JSON) written to the output folder:

- ``traces.png``: Chaudhuri & Handebagh Fig. 1 traces at g = 2, 4, 10 (N = 250)
- ``sensitivity.png``, ``sensitivity_3d.png``: two trajectories from x(0) and
  x(0) + U[0, 1e-4] at g = 10, as traces, separation and a 3-D state-space view
- ``lambda_vs_g.png``: lambda_max (QR method) against g for two sizes, mean and spread over seeds
- ``autocorr_vs_dmft.png``: simulated Delta(s) against DMFT at N = 3000
- ``spectrum_extensive.png``: Lyapunov spectrum against i/N for two sizes (Engelken et al. 2023)
- ``crosscheck.png``: running lambda_max estimates, QR against two trajectories
- ``results/*.json`` (one per part, plus ``acceptance.json``) and ``results/config.json``

Usage::

    python experiments/chaos_transition/run.py [CONFIG, e.g. smoke.toml] [--out DIR] [--no-progress]
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from neurochaos import plotting
from neurochaos.analysis import (
    compute_lambda_max,
    compute_lyapunov_spectra,
    compute_lyapunov_spectrum,
    measure_autocorrelation,
    solve_dmft,
)
from neurochaos.errors import ConfigError
from neurochaos.executors import RunConfig, get_executor
from neurochaos.experiment import experiment_cli, read_config, results_folder, save_run_record
from neurochaos.io import save_json
from neurochaos.model import build_network, initial_state
from neurochaos.validation import Interval, ListOf, NonEmptyString, OptionalOf, Validated, check_float

HERE = Path(__file__).resolve().parent


_N = Interval(int, 3)
_SEED = Interval(int, 0)
_GAIN = Interval(float, 0.0)
_TIME = Interval(float, 0.0, closed="right")  # > 0, units of tau
_TRANSIENT = Interval(float, 0.0)


@dataclass(frozen=True)
class TracesConfig(Validated):
    N: int = 250
    gains: tuple = (2.0, 4.0, 10.0)
    T: float = 100.0
    seed: int = 0

    _section = "traces"
    _constraints = {"N": _N, "gains": ListOf(_GAIN), "T": _TIME, "seed": _SEED}


@dataclass(frozen=True)
class SensitivityConfig(Validated):
    N: int = 250
    g: float = 10.0
    T: float = 40.0
    eps: float = 1e-4
    t_3d: float = 20.0
    seed: int = 0

    _section = "sensitivity"
    _constraints = {"N": _N, "g": _GAIN, "T": _TIME, "eps": _TIME, "t_3d": _TIME, "seed": _SEED}

    def __post_init__(self):
        super().__post_init__()
        check_float(self.t_3d, "sensitivity.t_3d", low=0.0, high=self.T, low_open=True)


@dataclass(frozen=True)
class LambdaConfig(Validated):
    sizes: tuple = (500, 2000)
    n_seeds: tuple = (5, 3)
    gains: tuple = (0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 2.0, 3.0, 4.0)
    T: float = 200.0
    transient: float = 50.0
    workers: int = 0  # 0: in this process, seeds batched; >= 1: a neurochaos.sweep on that many Dask workers
    scheduler: str | None = None  # or a running Dask scheduler's address (tcp://HOST:PORT) for the sweep

    _section = "lambda_vs_g"
    _constraints = {
        "sizes": ListOf(Interval(int, 1)),
        "n_seeds": ListOf(Interval(int, 1)),
        "gains": ListOf(_GAIN),
        "T": _TIME,
        "transient": _TRANSIENT,
        "workers": Interval(int, 0),
        "scheduler": OptionalOf(NonEmptyString()),
    }

    def __post_init__(self):
        super().__post_init__()
        if len(self.n_seeds) != len(self.sizes):
            raise ConfigError(
                f"`lambda_vs_g.n_seeds` must have one entry per size ({len(self.sizes)}), got {list(self.n_seeds)}"
            )


@dataclass(frozen=True)
class AutocorrConfig(Validated):
    N: int = 3000
    gains: tuple = (1.5, 2.0, 3.0)
    T: float = 300.0
    transient: float = 50.0
    max_lag: float = 20.0
    seed: int = 0

    _section = "autocorr"
    _constraints = {
        "N": Interval(int, 1),
        "gains": ListOf(_GAIN),
        "T": _TIME,
        "transient": _TRANSIENT,
        "max_lag": _TIME,
        "seed": _SEED,
    }


@dataclass(frozen=True)
class SpectrumConfig(Validated):
    sizes: tuple = (200, 400)
    g: float = 2.0
    T: float = 200.0
    transient: float = 50.0
    seed: int = 0

    _section = "spectrum"
    _constraints = {"sizes": ListOf(Interval(int, 1)), "g": _GAIN, "T": _TIME, "transient": _TRANSIENT, "seed": _SEED}


@dataclass(frozen=True)
class CrosscheckConfig(Validated):
    N: int = 1000
    g: float = 2.0
    T: float = 300.0
    transient: float = 50.0
    seed: int = 0

    _section = "crosscheck"
    _constraints = {"N": Interval(int, 1), "g": _GAIN, "T": _TIME, "transient": _TRANSIENT, "seed": _SEED}


@dataclass(frozen=True)
class ExperimentConfig:
    dt: float = 0.1
    method: str = "euler"
    t_ons: float = 1.0
    out: str = "out/chaos_transition"
    traces: TracesConfig = TracesConfig()
    sensitivity: SensitivityConfig = SensitivityConfig()
    lambda_vs_g: LambdaConfig = LambdaConfig()
    autocorr: AutocorrConfig = AutocorrConfig()
    spectrum: SpectrumConfig = SpectrumConfig()
    crosscheck: CrosscheckConfig = CrosscheckConfig()

    def __post_init__(self):
        RunConfig(T=1.0, dt=self.dt, method=self.method)  # validates dt and method
        check_float(self.t_ons, "t_ons", low=self.dt)


SECTIONS = {
    "experiment": ("dt", "method", "t_ons", "out"),
    "traces": TracesConfig,
    "sensitivity": SensitivityConfig,
    "lambda_vs_g": LambdaConfig,
    "autocorr": AutocorrConfig,
    "spectrum": SpectrumConfig,
    "crosscheck": CrosscheckConfig,
}


def load_config(path) -> ExperimentConfig:
    """Read a TOML config (every section optional: defaults above); unknown sections or keys are errors naming them."""
    allowed = {k: v if isinstance(v, tuple) else tuple(f.name for f in fields(v)) for k, v in SECTIONS.items()}
    data = read_config(path, allowed, required=())
    sections = {k: SECTIONS[k](**v) for k, v in data.items() if k != "experiment"}
    return ExperimentConfig(**data.get("experiment", {}), **sections)


def run_traces(c: ExperimentConfig, out: Path) -> dict:
    tc, traces, summary = c.traces, [], {}
    for g in tc.gains:
        net = build_network("chaotic_rate", N=tc.N, g=g, seed=tc.seed)
        with get_executor("torch") as ex:
            ex.prepare(net, RunConfig(T=tc.T, dt=c.dt, method=c.method))
            tr = ex.run(initial_state(net, 1, seed=tc.seed + 1))
        traces.append(tr)
        late = tr.x[len(tr.t) // 2 :, 0, :]
        summary[f"{g:g}"] = {
            "temporal_variance": float(late.var(axis=0).mean()),
            "mean_abs_tanh_x": float(np.abs(np.tanh(late)).mean()),
        }
    plotting.plot_traces(
        traces,
        out / "traces.png",
        units=4,
        labels=[f"g = {g:g}" for g in tc.gains],
        title=f"chaotic_rate, N = {tc.N} (Chaudhuri & Handebagh Fig. 1)",
    )
    return {"N": tc.N, "T": tc.T, "seed": tc.seed, "gains": summary}


def run_sensitivity(c: ExperimentConfig, out: Path) -> dict:
    sc = c.sensitivity
    net = build_network("chaotic_rate", N=sc.N, g=sc.g, seed=sc.seed)
    x0 = initial_state(net, 1, seed=sc.seed + 1)[0]
    rng = np.random.default_rng(sc.seed + 2)
    x0p = x0 + rng.uniform(0.0, sc.eps, size=sc.N)
    with get_executor("torch") as ex:
        ex.prepare(net, RunConfig(T=sc.T, dt=c.dt, method=c.method))
        tr = ex.run(np.stack([x0, x0p]))
    dist = np.linalg.norm(tr.x[:, 1] - tr.x[:, 0], axis=1)
    grow = dist / dist[0]
    big = np.nonzero(dist > 0.1 * np.sqrt(sc.N))[0]
    plotting.plot_sensitivity(
        tr,
        out / "sensitivity.png",
        labels=("x(0)", f"x(0) + U[0, {sc.eps:g}]"),
        title=f"Sensitive dependence, g = {sc.g:g}, N = {sc.N}",
    )
    plotting.plot_state_space(
        tr, out / "sensitivity_3d.png", until=sc.t_3d, title=f"first {sc.t_3d:g} tau, g = {sc.g:g}"
    )
    t_sep = float(tr.t[big[0]]) if len(big) else None
    return {
        "N": sc.N,
        "g": sc.g,
        "eps": sc.eps,
        "seed": sc.seed,
        "initial_distance": float(dist[0]),
        "final_distance": float(dist[-1]),
        "max_growth": float(grow.max()),
        "time_to_distance_0.1_sqrtN": t_sep,
    }


def _lambda_by_sweep(c: ExperimentConfig, out: Path, progress: bool) -> dict:
    """lambda_vs_g through ``neurochaos.sweep`` (task ``lyapunov``, k = 1): one Dask task per (g, seed).

    One sweep per size, g x ``n_seeds`` replicates, in ``out/lambda_sweep_N<N>``; each keeps its
    table, so a rerun (or a killed run) does only the points not yet in it. Seeds come from the
    sweep's root seed 0 and each point's parameters, so they differ from the in-process path's
    seeds 0 .. n_seeds - 1 (same statistics, other draws).
    """
    from neurochaos.sweep import Grid, read_rows, sweep

    lc = c.lambda_vs_g
    params = {"model": "chaotic_rate", "k": 1, "T": lc.T, "transient": lc.transient, "t_ons": c.t_ons}
    params |= {"dt": c.dt, "method": c.method}
    res = {"gains": list(lc.gains), "T": lc.T, "transient": lc.transient, "sizes": {}}
    res["sweep"] = {"workers": lc.workers, "scheduler": lc.scheduler, "folders": {}}
    for N, n_seeds in zip(lc.sizes, lc.n_seeds):
        folder = out / f"lambda_sweep_N{N}"
        t0 = time.perf_counter()
        result = sweep(
            "lyapunov",
            Grid({"g": [float(g) for g in lc.gains]}, replicates=n_seeds),
            params={**params, "N": int(N)},
            out=folder,
            cluster=lc.scheduler or None,
            n_workers=None if lc.scheduler else lc.workers,
            progress=progress,
        )
        rows = read_rows(folder)  # one dict per point
        if result.n_errors:
            raise RuntimeError(
                f"{result.n_errors} lambda_vs_g points at N = {N} failed: {[r['error'] for r in rows if r['error']]}"
            )
        by_g = {g: sorted((r for r in rows if r["g"] == g), key=lambda r: r["replicate"]) for g in lc.gains}
        lam = np.array([[r["lambda_max"] for r in by_g[g]] for g in lc.gains])
        res["sweep"]["folders"][str(N)] = {"folder": folder.name, "points": len(rows), "run_now": result.n_run}
        res["sizes"][str(N)] = {
            "seeds": [[int(r["seed"]) for r in by_g[g]] for g in lc.gains],
            "lambda_max": lam.tolist(),
            "mean": lam.mean(1).tolist(),
            "median": np.median(lam, 1).tolist(),
            "min": lam.min(1).tolist(),
            "max": lam.max(1).tolist(),
            "seconds": time.perf_counter() - t0,
            "task_seconds": float(sum(r["wall_s"] for r in rows)),
        }
    return res


def run_lambda_vs_g(c: ExperimentConfig, out: Path, progress: bool) -> dict:
    lc = c.lambda_vs_g
    if lc.workers or lc.scheduler:
        res = _lambda_by_sweep(c, out, progress)
        plotting.plot_lambda_vs_g(
            lc.gains, {f"N = {N}": d["lambda_max"] for N, d in res["sizes"].items()}, out / "lambda_vs_g.png"
        )
        return res
    res = {"gains": list(lc.gains), "T": lc.T, "transient": lc.transient, "sizes": {}}
    for N, n_seeds in zip(lc.sizes, lc.n_seeds):
        lam = np.empty((len(lc.gains), n_seeds))
        t0 = time.perf_counter()
        for i, g in enumerate(lc.gains):
            nets = [build_network("chaotic_rate", N=N, g=g, seed=s) for s in range(n_seeds)]
            spectra = compute_lyapunov_spectra(
                nets,
                k=1,
                T=lc.T,
                transient=lc.transient,
                t_ons=c.t_ons,
                dt=c.dt,
                method=c.method,
                seed=1000 + i,
                progress=progress,
            )
            lam[i] = [r.lambda_max for r in spectra]
        res["sizes"][str(N)] = {
            "seeds": list(range(n_seeds)),
            "lambda_max": lam.tolist(),
            "mean": lam.mean(1).tolist(),
            "median": np.median(lam, 1).tolist(),
            "min": lam.min(1).tolist(),
            "max": lam.max(1).tolist(),
            "seconds": time.perf_counter() - t0,
        }
    plotting.plot_lambda_vs_g(
        lc.gains, {f"N = {N}": d["lambda_max"] for N, d in res["sizes"].items()}, out / "lambda_vs_g.png"
    )
    return res


def run_autocorr(c: ExperimentConfig, out: Path, progress: bool) -> dict:
    ac_c, res = c.autocorr, {"N": c.autocorr.N, "T": c.autocorr.T, "transient": c.autocorr.transient, "gains": {}}
    simulated, theory = {}, {}
    for g in ac_c.gains:
        run = {key: getattr(ac_c, key) for key in ("N", "T", "transient", "max_lag", "seed")}  # [autocorr] keys
        ac = measure_autocorrelation("chaotic_rate", g=g, dt=c.dt, method=c.method, progress=progress, **run)
        th = solve_dmft(g, s_max=float(ac.s[-1]), n_s=len(ac.s))
        rel = ac.delta0 / th.delta0 - 1 if th.delta0 > 0 else None
        res["gains"][f"{g:g}"] = {
            "delta0_sim": ac.delta0,
            "delta0_dmft": th.delta0,
            "relative_error": rel,
            "participation_ratio": ac.participation_ratio,
            "s": ac.s.tolist(),
            "delta_sim": ac.delta.tolist(),
            "delta_dmft": th.delta.tolist(),
        }
        simulated[f"g = {g:g}"], theory[f"g = {g:g}"] = ac, th
    plotting.plot_autocorrelation(
        simulated, theory, out / "autocorr_vs_dmft.png", title=f"Autocorrelation, N = {ac_c.N}: simulation vs DMFT"
    )
    return res


def run_spectrum(c: ExperimentConfig, out: Path, progress: bool) -> dict:
    spc, res = c.spectrum, {"g": c.spectrum.g, "T": c.spectrum.T, "sizes": {}}
    spectra = {}
    for N in spc.sizes:
        r = compute_lyapunov_spectrum(
            build_network("chaotic_rate", N=N, g=spc.g, seed=spc.seed),
            T=spc.T,
            transient=spc.transient,
            t_ons=c.t_ons,
            dt=c.dt,
            method=c.method,
            seed=spc.seed + 1,
            progress=progress,
        )
        res["sizes"][str(N)] = {
            "spectrum": r.spectrum.tolist(),
            "lambda_max": r.lambda_max,
            "kaplan_yorke_dim": r.kaplan_yorke_dim,
            "kaplan_yorke_fraction": r.kaplan_yorke_dim / N,
            "entropy_rate": r.entropy_rate,
            "entropy_rate_per_unit": r.entropy_rate / N,
        }
        spectra[N] = r
    plotting.plot_lyapunov_spectra(
        spectra, out / "spectrum_extensive.png", title=f"Lyapunov spectrum, g = {spc.g:g}: extensive in N"
    )
    return res


def run_crosscheck(c: ExperimentConfig, out: Path, progress: bool) -> dict:
    cc = c.crosscheck
    net = build_network("chaotic_rate", N=cc.N, g=cc.g, seed=cc.seed)
    kw = dict(
        T=cc.T, transient=cc.transient, t_ons=c.t_ons, dt=c.dt, method=c.method, seed=cc.seed + 1, progress=progress
    )
    t0 = time.perf_counter()
    qr = compute_lyapunov_spectrum(net, k=1, **kw)
    t1 = time.perf_counter()
    two = compute_lambda_max(net, d0=1e-8, **kw)
    t2 = time.perf_counter()
    plotting.plot_running_lambda(
        {"QR method (k = 1)": qr, "two trajectories (d0 = 1e-8)": two},
        out / "crosscheck.png",
        title=f"g = {cc.g:g}, N = {cc.N}",
    )
    return {
        "N": cc.N,
        "g": cc.g,
        "T": cc.T,
        "lambda_max_qr": qr.lambda_max,
        "lambda_max_two_trajectories": two.lambda_max,
        "relative_difference": abs(qr.lambda_max - two.lambda_max) / abs(two.lambda_max),
        "seconds_qr": t1 - t0,
        "seconds_two_trajectories": t2 - t1,
    }


def judge(results: dict) -> dict:
    """The issue's acceptance criteria, evaluated on this run's numbers."""
    ac = results["autocorr"]
    errs = {g: d["relative_error"] for g, d in ac["gains"].items()}
    lam = results["lambda_vs_g"]
    N_big = max(lam["sizes"], key=int)
    med = dict(zip(lam["gains"], lam["sizes"][N_big]["median"]))
    below = {f"{g:g}": m for g, m in med.items() if g <= 0.9}
    above = {f"{g:g}": m for g, m in med.items() if g >= 1.3}
    cc = results["crosscheck"]
    return {
        "delta0_within_5pct": {
            "N": ac["N"],
            "relative_errors": errs,
            "size_ok": ac["N"] >= 3000,
            "passed": all(e is not None and abs(e) < 0.05 for e in errs.values()),
        },
        "qr_vs_two_trajectories_within_5pct": {
            "N": cc["N"],
            "g": cc["g"],
            "relative_difference": cc["relative_difference"],
            "passed": cc["relative_difference"] < 0.05,
        },
        "lambda_sign": {
            "N": int(N_big),
            "median_below": below,
            "median_above": above,
            "passed": all(v < 0 for v in below.values()) and all(v > 0 for v in above.values()),
        },
    }


def main(config_path=HERE / "config.toml", out=None, progress: bool = True) -> Path:
    """Run every part of the experiment; return the output folder."""
    c = load_config(config_path)
    out = results_folder(out, c.out, "out/chaos_transition")
    save_json(out / "results" / "config.json", {**asdict(c), "config_path": str(config_path)})
    results, seconds = {}, {}
    parts = [
        ("traces", lambda: run_traces(c, out)),
        ("sensitivity", lambda: run_sensitivity(c, out)),
        ("crosscheck", lambda: run_crosscheck(c, out, progress)),
        ("autocorr", lambda: run_autocorr(c, out, progress)),
        ("spectrum", lambda: run_spectrum(c, out, progress)),
        ("lambda_vs_g", lambda: run_lambda_vs_g(c, out, progress)),
    ]
    for name, fn in parts:
        t0 = time.perf_counter()
        results[name] = fn()
        seconds[name] = time.perf_counter() - t0
        save_json(out / "results" / f"{name}.json", results[name])
    acceptance = judge(results)
    acceptance["seconds"] = seconds
    acceptance["machine"] = {"platform": platform.platform(), "processor": platform.processor() or platform.machine()}
    save_json(out / "results" / "acceptance.json", acceptance)
    save_run_record(out, config_path, asdict(c), seconds)
    return out


if __name__ == "__main__":
    raise SystemExit(experiment_cli(main, __doc__, HERE / "config.toml"))
