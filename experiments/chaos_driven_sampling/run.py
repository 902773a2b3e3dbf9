"""Generation driven by chaos: does chaos survive training, and can one trajectory stream samples?

For each training option of ``[options]`` (free-phase initialisation, gain g, soft clamp
targets, chaos homeostasis) a restricted 2-layer network is trained on 8x8 digits with
the chaos probe every ``chaos_every`` steps (lambda_max, saturated units, Jacobian
radius vs training age). On the option named by ``[stream] option``:

- the 10 largest Lyapunov exponents of each trained network (QR method);
- stream sampling: ``n`` samples from ``chains`` free-running trajectories read every
  ``every`` tau (no random number after x(0)), against the random-start sampler;
- decorrelation time of consecutive samples at g = factors x the trained g;
- class coverage: a logistic regression fitted on the held-out labelled digits labels
  the samples (class histogram, class switches per 100 tau of a chain).

Usage::

    python experiments/chaos_driven_sampling/run.py experiments/chaos_driven_sampling/config.toml
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from neurochaos.analysis.memory import measure_decorrelation_time
from neurochaos.analysis.stats import estimate_autocorrelation
from neurochaos.experiment import experiment_cli, read_config, results_folder, save_run_record
from neurochaos.io import save_json
from neurochaos.plotting import plot_chaos_vs_age, plot_class_coverage, plot_decorrelation, plot_image_rows

LOG = logging.getLogger("neurochaos.experiments.chaos_driven_sampling")
SECTIONS = {
    "experiment": {"out", "n_hidden", "M", "steps", "chaos_every", "eval_samples", "seed"},
    "options": None,  # {label: {free_init, g, clamp_scale, chaos_target}}
    "stream": {"option", "n", "chains", "every", "factors", "gain_cycle", "max_lag", "show", "seed"},
}
#: training options per label, and the network options (a chaotic pool, the scope of J) beside them
OPTION_KEYS = {"free_init", "g", "clamp_scale", "chaos_target", "k", "seed"}
MODEL_KEYS = {"n_pool", "pool_drive", "pool_gain", "j_scope", "j_visible"}


def load_config(path) -> dict:
    """Read and check the whole TOML before anything runs (unknown keys are errors)."""
    from neurochaos.errors import ConfigError
    from neurochaos.validation import check_float, check_int

    cfg = read_config(path, SECTIONS, complete=True)
    st = cfg["stream"]
    for key in ("n", "chains", "show"):
        check_int(st[key], f"stream.{key}", min_value=1)
    check_float(st["every"], "stream.every", low=0.0, low_open=True)
    check_float(st["max_lag"], "stream.max_lag", low=0.0, low_open=True)
    if not st["factors"] or any(check_float(f, "stream.factors", low=0.0, low_open=True) <= 0 for f in st["factors"]):
        raise ConfigError(f"`stream.factors` must be a non-empty list of gain factors > 0, got {st['factors']!r}")
    cycle = st["gain_cycle"]
    if (
        len(cycle) != 3
        or cycle[0] > cycle[1]
        or check_float(cycle[2], "stream.gain_cycle period", low=0.0, low_open=True) <= 0
    ):
        raise ConfigError(
            f"`stream.gain_cycle` must be [low, high, period] with low <= high (factors of g), got {cycle!r}"
        )
    options = cfg.get("options") or {}
    if not options:
        raise ConfigError(f"`options` must hold at least one training option table, got none ({path})")
    for label, opt in options.items():
        if not isinstance(opt, dict) or not set(opt) <= OPTION_KEYS | MODEL_KEYS:
            raise ConfigError(
                f"`options.{label}` must be a table with keys among {sorted(OPTION_KEYS | MODEL_KEYS)}, got {opt!r}"
            )
        _train_config(cfg, opt)  # every value checked by the trainer's constraints, now
    if cfg["stream"]["option"] not in options:
        raise ConfigError(f"`stream.option` must be one of {sorted(options)}, got {cfg['stream']['option']!r}")
    return cfg


def _train_config(cfg: dict, opt: dict):
    from neurochaos.learning import TrainConfig

    e = cfg["experiment"]
    model = {"card": "fu_restricted2", "n_visible": 64, "n_hidden": e["n_hidden"], "g": float(opt.get("g", 1.5))}
    model.update({key: opt[key] for key in MODEL_KEYS if key in opt})
    training = {
        "M": e["M"],
        "steps": e["steps"],
        "engine": "fused",
        "seed": opt.get("seed", e["seed"]),
        "k": opt.get("k"),
        "eval_every": max(1, e["steps"] // 4),
        "eval_samples": e["eval_samples"],
        "checkpoint_every": e["steps"],
        "chaos_every": e["chaos_every"],
        "free_init": opt.get("free_init", "random"),
        "clamp_scale": float(opt.get("clamp_scale", 1.0)),
        "chaos_target": opt.get("chaos_target"),
    }
    return TrainConfig.from_dict({"model": model, "training": training, "data": {"name": "digits"}})


def top_spectrum(net, k: int = 10) -> list:
    """The 10 largest Lyapunov exponents (1/tau, QR method, 100 tau after 20) of a trained network's free dynamics."""
    from neurochaos.analysis import compute_lyapunov_spectrum

    return compute_lyapunov_spectrum(net.rate_network(), k=min(k, net.N), T=100.0, transient=20.0).spectrum.tolist()


def _classifier(ds):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000).fit(ds.x_test, ds.y_test)


def _coverage(clf, frames: np.ndarray, every: float) -> dict:
    """Class histogram of the samples and class switches per 100 tau (frames: (T, chains, 64), +-1)."""
    T, C, D = frames.shape
    labels = clf.predict(frames.reshape(-1, D)).reshape(T, C)
    hist = np.bincount(labels.ravel(), minlength=10) / labels.size
    switches = float((labels[1:] != labels[:-1]).sum() / (C * (T - 1) * every) * 100) if T > 1 else 0.0
    return {"class_fraction": hist.tolist(), "min_class_fraction": float(hist.min()), "switches_per_100_tau": switches}


def main(config_path, out=None, progress: bool = False) -> Path:
    """Train every option, then stream from the chosen one; returns the output folder."""
    from neurochaos.data import load_dataset
    from neurochaos.learning import evaluate_network, generate, readout, stream, train
    from neurochaos.metrics import accuracy_indices

    cfg = load_config(config_path)
    e, s = cfg["experiment"], cfg["stream"]
    folder = results_folder(out, e.get("out"), "out/chaos_driven_sampling")
    ds = load_dataset("digits", seed=e["seed"])
    seconds, runs, nets = {}, {}, {}
    for label, opt in cfg["options"].items():
        t0 = time.perf_counter()
        run_dir = folder / "train" / label  # a finished (or interrupted) training is continued, not redone
        resumed = (run_dir / "checkpoint.npz").exists()
        res = train(_train_config(cfg, opt), run_dir, dataset=ds, resume=resumed, progress=progress)
        seconds[label] = time.perf_counter() - t0
        lam = [c["lambda_max"] for c in res.chaos]
        runs[label] = {
            "option": opt,
            "final_indices": res.history[-1],
            "chaos": res.chaos,
            "lambda_max_min": min(lam),
            "lambda_max_final": lam[-1],
            "positive_fraction": float(np.mean(np.asarray(lam) > 0)),
            "g_final": res.network.g,
            "continued_from_checkpoint": resumed,  # then seconds_this_run_per_option is not the training time
        }
        nets[label] = res.network
        runs[label]["lyapunov_top10_final"] = top_spectrum(res.network)
        LOG.info("%s: EAAI %.4f, lambda_max min %.3f final %.3f", label, res.history[-1]["EAAI"], min(lam), lam[-1])
    plot_chaos_vs_age(
        {label: r["chaos"] for label, r in runs.items()},
        folder / "chaos_vs_age.png",
        title="does chaos survive contrastive Hebbian training? (digits, restricted 2-layer)",
    )

    net = nets[s["option"]]
    clf = _classifier(ds)
    n_ref = min(s["n"], len(ds.x_test))
    frames = readout(stream(net, s["n"], every=s["every"], chains=s["chains"], seed=s["seed"]))
    samples = frames.transpose(1, 0, 2).reshape(-1, 64)[: s["n"]]
    random_start = readout(generate(net, s["n"], seed=s["seed"])[0])
    table = {
        "stream": {**accuracy_indices(ds.x_test[:n_ref], samples), **_coverage(clf, frames, s["every"])},
        "random_starts": {
            **accuracy_indices(ds.x_test[:n_ref], random_start),
            **_coverage(clf, random_start[:, None], 1.0),
        },
    }
    table["random_starts"].pop("switches_per_100_tau")
    low, high, period = s["gain_cycle"]
    cycled = readout(
        stream(
            net,
            s["n"],
            every=period,
            chains=s["chains"],
            gain_cycle=(net.g * low, net.g * high, period),
            seed=s["seed"],
        )
    )
    table["stream_gain_cycle"] = {
        **accuracy_indices(ds.x_test[:n_ref], cycled.transpose(1, 0, 2).reshape(-1, 64)[: s["n"]]),
        **_coverage(clf, cycled, period),
        "gain_cycle": [net.g * low, net.g * high, period],
    }
    by_g, acfs = {}, {}
    strips = {f"g {net.g * low:.1f}/{net.g * high:.1f}": cycled[: s["show"], 0]}
    for factor in s["factors"]:
        g = factor * net.g
        rates = stream(net, s["n"], every=s["every"], chains=s["chains"], g=g, seed=s["seed"])
        tau = measure_decorrelation_time(rates, s["every"], subtract_mean=True, max_lag=s["max_lag"])
        ac = estimate_autocorrelation(rates, s["every"], max_lag=s["max_lag"], subtract_mean=True)
        acfs[f"g = {g:.2f} ({factor:g} x trained), tau_d = {tau:.2f}"] = (ac.s, ac.delta / ac.delta0)
        pm = readout(rates)
        by_g[f"{factor:g}"] = {
            "g": g,
            "decorrelation_time_tau": tau,
            "indices": accuracy_indices(ds.x_test[:n_ref], pm.transpose(1, 0, 2).reshape(-1, 64)[: s["n"]]),
            **_coverage(clf, pm, s["every"]),
        }
        strips[f"g = {g:.2f}"] = pm[: s["show"], 0]
        LOG.info("g = %.2f: tau_d %.3f tau, EAAI %.4f", g, tau, by_g[f"{factor:g}"]["indices"]["EAAI"])
    taus = [by_g[f"{f:g}"]["decorrelation_time_tau"] for f in s["factors"]]
    monotone = bool(all(a > b for a, b in zip(taus, taus[1:])))
    plot_image_rows(
        strips,
        ds.image_shape,
        folder / "stream_strips.png",
        n=s["show"],
        title=f"consecutive samples of one chain; top: gain cycling {net.g * low:.1f}/{net.g * high:.1f}, one per "
        f"{period:g} tau; below: free running at g, one every {s['every']:g} tau (trained at g = {net.g:.2f})",
    )
    plot_decorrelation(acfs, folder / "decorrelation_vs_g.png", title="consecutive stream samples: autocorrelation")
    plot_class_coverage(
        {k: v["class_fraction"] for k, v in table.items()},
        folder / "class_coverage.png",
        title=f"{s['n']} samples from {s['chains']} chains vs {s['n']} random starts",
    )
    untrained = evaluate_network(net.with_params(0 * net.A, 0 * net.bias), ds.x_test, n=n_ref, seed=1)
    result = {
        "runs": runs,
        "stream_option": s["option"],
        "indices_table": table,
        "untrained": untrained,
        "decorrelation_vs_g": by_g,
        "decorrelation_falls_with_g": monotone,
        "seconds_this_run_per_option": seconds,
    }
    save_json(folder / "results.json", {"result": result, "config": cfg})
    save_run_record(folder, config_path, cfg, seconds)
    return folder


if __name__ == "__main__":
    raise SystemExit(experiment_cli(main, __doc__, Path(__file__).with_name("config.toml")))
