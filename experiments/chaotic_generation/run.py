"""Generative modelling through internal chaos (Fournier & Urbani 2024): Figs 2-5, lambda_max, RBM table.

For each data set (MNIST; Fashion-MNIST when its IDX files exist) and each
architecture: train with contrastive Hebbian learning (snapshots of A every
``snapshot_every`` steps), generate ``n_samples`` samples, compute the four
indices against the held-out test set (and against the training set, to
detect copying), read the same chains at several times, measure lambda_max
vs training age, and compare with a PCD RBM of the same size. Writes
``results/*.json`` and ``results/*.png`` beside the config (or under ``out``).

Usage::

    python experiments/chaotic_generation/run.py experiments/chaotic_generation/scaled.toml
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from neurochaos.errors import ConfigError, DataError
from neurochaos.experiment import ANY_KEYS, experiment_cli, read_config, results_folder
from neurochaos.io import save_json, save_npz
from neurochaos.learning import (
    TrainConfig,
    generate,
    largest_lyapunov,
    load_trained,
    readout,
    train,
)
from neurochaos.plotting import (
    plot_readout_times,
    plot_receptive_fields,
    plot_samples_vs_data,
    plot_training_age,
)

LOG = logging.getLogger("neurochaos.experiments.chaotic_generation")
_EXPERIMENT_KEYS = {
    "datasets",
    "architectures",
    "steps",
    "n_samples",
    "readout_times_ms",
    "snapshot_every",
    "lyapunov_chains",
    "lyapunov_T",
    "rbm",
    "rbm_steps",
    "rbm_sweeps",
    "out",
}
CARDS = {"unrestricted": "fu_unrestricted", "restricted2": "fu_restricted2", "restricted3": "fu_restricted3"}


def load_experiment(path: Path) -> dict:
    """Read the experiment TOML: ``[experiment]``, ``[data]``, ``[training]``, ``[model.<architecture>]``.

    ``[data]``, ``[training]`` and ``[model.*]`` keys are those of the trainer's config
    (checked by :meth:`TrainConfig.from_dict` when each run is built).
    """
    sections = {"experiment": _EXPERIMENT_KEYS, "data": ANY_KEYS, "training": ANY_KEYS, "model": ANY_KEYS}
    data = read_config(path, sections, required=())
    for arch in data.get("experiment", {}).get("architectures", []):
        if arch not in CARDS:
            raise ConfigError(f"`experiment.architectures` must list names among {sorted(CARDS)}, got {arch!r}")
    return data


def train_config(spec: dict, dataset: str, arch: str) -> TrainConfig:
    exp = spec["experiment"]
    model = {"card": CARDS[arch], **spec.get("model", {}).get(arch, {})}
    training = {
        **spec.get("training", {}),
        "steps": int(exp["steps"][arch]),
        "eval_every": int(exp.get("snapshot_every", 100)),
    }
    return TrainConfig.from_dict(
        {"model": model, "training": training, "data": {**spec.get("data", {}), "name": dataset}}
    )


def _snapshot_callback(folder: Path, every: int):
    def callback(step, net):
        if step % every == 0:
            save_npz(folder / f"step_{step:07d}.npz", A=net.A, bias=net.bias)

    return callback


def lyapunov_vs_age(net, snap_dir: Path, *, chains: int, T: float, device: str = "cpu") -> tuple[list, list]:
    """lambda_max of the network at step 0 (A = 0) and at every snapshot."""
    steps = [0]
    zero = net.with_params(np.zeros_like(net.A), np.zeros_like(net.bias))
    lam = [largest_lyapunov(zero, chains=chains, T=T, device=device)]
    for f in sorted(snap_dir.glob("step_*.npz")):
        with np.load(f) as z:
            steps.append(int(f.stem.split("_")[1]))
            lam.append(largest_lyapunov(net.with_params(z["A"], z["bias"]), chains=chains, T=T, device=device))
    return steps, lam


def run_rbm(spec: dict, ds, n_hidden: int, n: int, seed: int) -> dict:
    """PCD RBM of the same size on the same data, same indices (or the reason it did not run)."""
    exp = spec["experiment"]
    if not exp.get("rbm", True):
        return {"skipped": "disabled in the config"}
    try:
        from neurochaos.baselines import train_rbm
    except ImportError as exc:
        LOG.warning("RBM baseline skipped: %s", exc)
        return {"skipped": f"neurochaos.baselines unavailable ({exc})"}
    from neurochaos.metrics import accuracy_indices

    t0 = time.perf_counter()
    rbm = train_rbm(
        ds.x_train,
        n_hidden=n_hidden,
        steps=int(exp.get("rbm_steps", 1000)),
        batch_size=int(spec.get("training", {}).get("M", 500)),
        seed=seed,
        device=spec.get("training", {}).get("device", "cpu"),
        progress=False,
    )
    samples = rbm.sample(
        n, sweeps=int(exp.get("rbm_sweeps", 1000)), seed=seed + 1, device=spec.get("training", {}).get("device", "cpu")
    )
    return {
        "n_hidden": n_hidden,
        "train_seconds": time.perf_counter() - t0,
        "test": accuracy_indices(ds.x_test[:n], samples),
        "train": accuracy_indices(ds.x_train[:n], samples),
        "samples": samples,
    }


def run_dataset(spec: dict, name: str, results: Path, progress: bool) -> dict:
    from neurochaos.data import load_dataset
    from neurochaos.metrics import accuracy_indices

    exp = spec["experiment"]
    d = spec.get("data", {})
    ds = load_dataset(
        name,
        directory=d.get("directory") or None,
        encoding=d.get("encoding", "pm1"),
        n_train=d.get("n_train") or None,
        n_test=d.get("n_test") or None,
    )
    n = min(int(exp.get("n_samples", 2000)), len(ds.x_test), len(ds.x_train))
    times_ms = [float(t) for t in exp.get("readout_times_ms", [20, 50, 100, 200])]
    summary = {
        "dataset": name,
        "source": ds.source,
        "n_train": len(ds.x_train),
        "n_test": len(ds.x_test),
        "n_samples": n,
        "architectures": {},
    }
    grids, curves, lyap = {}, {}, {}
    for arch in exp.get("architectures", list(CARDS)):
        cfg = train_config(spec, name, arch)
        folder = results / name / arch
        every = cfg.training.eval_every or 100
        t0 = time.perf_counter()
        resume = (folder / "checkpoint.npz").exists()
        res = train(
            cfg,
            folder,
            dataset=ds,
            resume=resume,
            progress=progress,
            callback=_snapshot_callback(folder / "snapshots", every),
            callback_every=every,
        )
        net, rcfg, _ = load_trained(folder)
        seconds = time.perf_counter() - t0
        enc = cfg.data.encoding
        dev = cfg.training.device
        s_times = generate(
            net,
            n,
            times=[t / net.tau_ms for t in times_ms],
            seed=cfg.training.seed + 17,
            dtype=cfg.training.dtype,
            device=dev,
        )
        ind_t = [accuracy_indices(ds.x_test[:n], readout(s, enc), device=dev) for s in s_times]
        samples = readout(generate(net, n, seed=cfg.training.seed + 17, dtype=cfg.training.dtype, device=dev)[0], enc)
        final = {
            "test": accuracy_indices(ds.x_test[:n], samples, device=dev),
            "train": accuracy_indices(ds.x_train[:n], samples, device=dev),
        }
        steps, lam = lyapunov_vs_age(
            net,
            folder / "snapshots",
            chains=int(exp.get("lyapunov_chains", 2)),
            T=float(exp.get("lyapunov_T", 30.0)),
            device=dev,
        )
        lyap[arch], curves[arch], grids[arch] = (steps, lam), res.history, samples
        plot_readout_times(
            s_times.copy() if enc == "continuous" else readout(s_times, enc),
            times_ms,
            ind_t,
            ds.image_shape,
            results / f"fig3_{name}_{arch}.png",
            f"{name}, {arch}: the same chains read at several times (T = {net.T * net.tau_ms:g} ms)",
        )
        if arch == "restricted2":
            units = np.argsort(-np.abs(net.receptive_fields(range(net.sizes[1]))).sum(axis=1))[:9]
            plot_receptive_fields(
                net.receptive_fields(units),
                net.g,
                ds.image_shape,
                results / f"fig4_{name}.png",
                f"{name}, restricted 2-layer: receptive fields of 9 hidden units (W / g, g = {net.g})",
            )
        summary["architectures"][arch] = {
            "config": rcfg.to_dict(),
            "steps": res.step,
            "wall_seconds_this_run": seconds,
            "final": final,
            "indices_vs_readout_time": {f"{t:g}": v for t, v in zip(times_ms, ind_t)},
            "lambda_max_vs_age": {"steps": steps, "lambda_max_per_tau": lam},
            "history": res.history,
            "chaotic_at_end": bool(lam[-1] > 0),
        }
        save_json(results / f"{name}_{arch}.json", summary["architectures"][arch])
        LOG.info("%s %s: %s", name, arch, final["test"])
    plot_training_age(curves, lyap, results / f"fig5_{name}.png", f"{name}: indices and lambda_max vs training age")
    rbm_nh = int(spec.get("model", {}).get("restricted2", {}).get("n_hidden", 500))
    rbm = run_rbm(spec, ds, rbm_nh, n, seed=int(spec.get("training", {}).get("seed", 0)))
    if "samples" in rbm:
        grids["RBM (PCD)"] = rbm.pop("samples")
    plot_samples_vs_data(
        ds.x_test,
        grids,
        ds.image_shape,
        results / f"fig2_{name}.png",
        f"{name}: test data and generated samples (indices in {name}_comparison.json)",
    )
    summary["rbm"] = rbm
    summary["comparison"] = comparison_table(summary)
    save_json(
        results / f"{name}_comparison.json",
        {k: v for k, v in summary.items() if k != "architectures"}
        | {"architectures": {a: v["final"] for a, v in summary["architectures"].items()}},
    )
    (results / f"{name}_comparison.md").write_text(summary["comparison"])
    return summary


def comparison_table(summary: dict) -> str:
    """Markdown table: the four indices (vs test) and AA_syn vs train, per model; best value in bold."""
    rows = {a: v["final"] for a, v in summary["architectures"].items()}
    if "test" in summary.get("rbm", {}):
        rows["RBM (PCD)"] = {"test": summary["rbm"]["test"], "train": summary["rbm"]["train"]}
    cols = ["E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn"]
    best = {c: min(rows, key=lambda r: abs(rows[r]["test"][c])) for c in cols[:4]}
    lines = [
        f"| {summary['dataset']} (n = {summary['n_samples']}) | " + " | ".join(cols) + " | AA_syn vs train |",
        "|---" * (len(cols) + 2) + "|",
    ]
    for r, v in rows.items():
        cells = [(f"**{v['test'][c]:.4g}**" if best.get(c) == r else f"{v['test'][c]:.4g}") for c in cols]
        lines.append(f"| {r} | " + " | ".join(cells) + f" | {v['train']['AA_syn']:.3f} |")
    if "skipped" in summary.get("rbm", {}):
        lines.append(f"\nRBM baseline not run: {summary['rbm']['skipped']}")
    return "\n".join(lines) + "\n"


def main(
    config_path: str | Path, out: str | Path | None = None, *, progress: bool = True, steps: int | None = None
) -> Path:
    """Run the experiment described by ``config_path``; return the results folder.

    ``steps`` overrides the training steps of every architecture (e.g. what a GPU session allows).
    """
    config_path = Path(config_path)
    spec = load_experiment(config_path)
    exp = spec["experiment"]
    if steps is not None:
        exp["steps"] = {a: int(steps) for a in exp["steps"]}
    results = results_folder(out, exp.get("out"), "out/chaotic_generation")
    report = {"config": str(config_path), "datasets": {}, "skipped": {}}
    for name in exp.get("datasets", ["mnist"]):
        try:
            summary = run_dataset(spec, name, results, progress)
        except DataError as exc:
            if name == "mnist":
                raise
            LOG.warning("data set %s skipped: %s", name, exc)
            report["skipped"][name] = str(exc)
            continue
        report["datasets"][name] = summary["comparison"]
    save_json(results / "summary.json", report)
    return results


if __name__ == "__main__":
    raise SystemExit(
        experiment_cli(
            main,
            "Chaotic generation experiment (Figs 2-5, lambda_max, RBM table)",
            Path(__file__).with_name("scaled.toml"),
            options=[
                ("--steps", {"type": int, "default": None, "help": "override the training steps of every architecture"})
            ],
        )
    )
