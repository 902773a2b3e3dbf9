"""MNIST on a CPU: figures and a summary of the runs of ``mnist_cpu.toml``, ``mnist_cpu_baseline.toml``,
``mnist_cpu_t5.toml``, ``mnist_cpu_jv0.toml``, ``mnist_cpu_pool.toml`` and ``mnist_cpu_pool_t3.toml``.

Reads each training folder (its history.json and checkpoint), draws lambda_max, saturation and
the Jacobian radius vs training age for both, the indices vs age, and samples next to held-out
digits; writes ``mnist_summary.json``. The trainings themselves run through the CLI::

    neurochaos train experiments/chaos_driven_sampling/mnist_cpu.toml --out experiments/chaos_driven_sampling/results_mnist
    neurochaos train experiments/chaos_driven_sampling/mnist_cpu_baseline.toml \\
        --out experiments/chaos_driven_sampling/results_mnist_baseline
    neurochaos train experiments/chaos_driven_sampling/mnist_cpu_t5.toml --out experiments/chaos_driven_sampling/results_mnist_t5
    timeout -s INT 2700 neurochaos train experiments/chaos_driven_sampling/mnist_cpu_jv0.toml \
        --out experiments/chaos_driven_sampling/results_mnist_jv0
    timeout -s INT 2700 neurochaos train experiments/chaos_driven_sampling/mnist_cpu_pool.toml \
        --out experiments/chaos_driven_sampling/results_mnist_pool
    timeout -s INT 2700 neurochaos train experiments/chaos_driven_sampling/mnist_cpu_pool_t3.toml \
        --out experiments/chaos_driven_sampling/results_mnist_pool_t3
    python experiments/chaos_driven_sampling/mnist_report.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = {
    "soft 0.8, g 2.5": HERE / "results_mnist",
    "baseline g 1.5": HERE / "results_mnist_baseline",
    "soft 0.8, g 3.5, T 5": HERE / "results_mnist_t5",
    "j_visible 0, homeostasis, T 5": HERE / "results_mnist_jv0",
    "chaotic pool, j_visible 0, g 5, T 5": HERE / "results_mnist_pool",
    "chaotic pool, T 3": HERE / "results_mnist_pool_t3",
    "chaotic pool, k decays to 0.001": HERE / "results_mnist_pool_decay",
    "no pool, k decays to 0.001": HERE / "results_mnist_jv0_decay",
}


def sweep_rows() -> list[dict]:
    """The finished points of ``sweep_mnist.toml`` (``results_sweep_mnist``), with their chaos histories."""
    from neurochaos.sweep import read_rows

    folder = HERE / "results_sweep_mnist"
    rows = []
    for r in read_rows(folder):
        if r.get("error") or r.get("EAAI") is None:
            continue
        record = json.loads((folder / "points" / r["key"] / "history.json").read_text())
        rows.append({**r, "chaos": record["chaos"]})
    return sorted(rows, key=lambda r: (r["training.k"], r["model.g"]))


def main(out: Path = HERE / "results_mnist_report") -> Path:
    from neurochaos.data import load_dataset
    from neurochaos.io import save_json
    from neurochaos.learning import generate, load_trained, readout
    from neurochaos.metrics import accuracy_indices
    from neurochaos.plotting import plot_chaos_vs_age, plot_image_rows, plot_training_age

    histories, summary, rows = {}, {}, {}
    previous = out / "mnist_summary.json"
    previous = json.loads(previous.read_text()) if previous.is_file() else {}
    ds = None
    for label, folder in RUNS.items():
        record = json.loads((folder / "history.json").read_text())
        histories[label] = record["chaos"]
        if not (folder / "checkpoint.npz").is_file():  # checkpoints are not kept in git (*.npz)
            if label in previous:
                summary[label] = {
                    **previous[label],
                    "final_from": "the earlier report (checkpoint not in this checkout)",
                }
            else:  # only the training-time record is left
                summary[label] = {
                    "folder": str(folder.relative_to(HERE.parents[1])),
                    "steps": record["step"],
                    "g": record["g"],
                    "history": record["history"],
                    "chaos": record["chaos"],
                    "chaotic_at_every_probe": all(c["lambda_max"] > 0 for c in record["chaos"]),
                    "final_from": "history.json (training-time evaluations; checkpoint not in this checkout)",
                }
            continue
        net, cfg, ckpt = load_trained(folder)
        if ds is None:
            d = cfg.data
            ds = load_dataset(d.name, directory=d.directory, n_train=d.n_train, n_test=d.n_test, seed=cfg.training.seed)
        s = readout(generate(net, 2000, seed=5)[0])
        n = min(2000, len(ds.x_test))
        final = {"test": accuracy_indices(ds.x_test[:n], s[:n]), "train": accuracy_indices(ds.x_train[:n], s[:n])}
        rows[label] = s[:12]
        summary[label] = {
            "folder": str(folder.relative_to(HERE.parents[1])),
            "steps": ckpt.step,
            "g": net.g,
            "T": cfg.model.T,
            "clamp_scale": cfg.training.clamp_scale,
            "j_visible": cfg.model.j_visible,
            "n_pool": cfg.model.n_pool,
            "k": cfg.training.k,
            "k_final": cfg.training.k_final,
            "final_2000_samples": final,
            "history": record["history"],
            "chaos": record["chaos"],
            "chaotic_at_every_probe": all(c["lambda_max"] > 0 for c in record["chaos"]),
        }
    if ds is None:
        raise SystemExit("no run of RUNS has its checkpoint here: nothing to sample")
    lyap = {k: ([c["step"] for c in v], [c["lambda_max"] for c in v]) for k, v in histories.items()}
    curves = {k: v["history"] for k, v in summary.items()}
    plot_training_age(curves, lyap, out / "indices_vs_age_mnist.png", title="MNIST: indices and lambda_max vs age")
    plot_chaos_vs_age(histories, out / "chaos_vs_age_mnist.png", title="MNIST (784 + 200), M = 50, 2 CPU cores")
    # the samples of the runs sampled now (samples_mnist.png when every run was)
    name = (
        "samples_mnist.png"
        if len(rows) == len(RUNS)
        else "samples_mnist_"
        + "_".join(RUNS[k].name.removeprefix("results_mnist").strip("_") or "soft" for k in rows)
        + ".png"
    )
    plot_image_rows({**rows, "held-out": ds.x_test[:12]}, ds.image_shape, out / name, n=12)
    summary["sweep_mnist"] = sweep = sweep_rows()
    plot_chaos_vs_age(
        {f"k {r['training.k']:g}, g {r['model.g']:g}: EAAI {r['EAAI']:.3f}": r["chaos"] for r in sweep},
        out / "chaos_vs_age_mnist_sweep.png",
        title="MNIST sweep (T = 5 tau, soft targets 0.8, 1500 steps): chaos vs age",
    )
    save_json(out / "mnist_summary.json", summary)
    return out


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "results_mnist_report"))
