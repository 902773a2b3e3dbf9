"""Re-evaluate the digits runs of ``config_pool.toml`` with many samples and seeds (issue 14, acceptance 1).

The training-time EAAI of the digits runs comes from one draw of 500 samples, and the indices compare
n = min(n_data, n_samples) rows, so only 360 samples (the held-out set's size) enter. At EAAI of a few
1e-3 that is close to the index's own noise. This script reads 2000 random starts of each final
network at T for ``SEEDS`` sampling seeds (each also picking the 360 compared rows), and measures the
EAAI of real training digits against the held-out digits, for the same seeds. That is not a floor:
binarised 8x8 digits repeat, so real digits find exact copies across the split (AA < 0.5) and score
EAAI 0.02-0.06, above the trained networks.

    python experiments/chaos_driven_sampling/digits_eval.py [OUT]

Writes ``digits_eval.json`` and ``digits_eval.png`` into OUT (default ``results_pool``).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEEDS = tuple(range(10))
RUNS = {
    "default": ("results_pool/train/random_g1.5", "results_pool/train/random_g1.5_seed1",
                "results_pool/train/random_g1.5_seed2"),
    "pool, drive 1.25": ("results_pool/train/pool", "results_pool/train/pool_seed1", "results_pool/train/pool_seed2"),
    "pool, drive 0.75": ("results_pool_drive/train/pool_drive0.5",),
    "pool, drive 2.25": ("results_pool_drive/train/pool_drive1.5",),
}  # fmt: skip


def main(out: Path = HERE / "results_pool", n: int = 2000):
    from neurochaos.io import save_json
    from neurochaos.learning import generate, load_trained, readout
    from neurochaos.learning.trainer import _load_dataset
    from neurochaos.metrics import accuracy_indices
    from neurochaos.plotting import new_figure, save_figure

    result, floor = {"n_samples": n, "seeds": list(SEEDS), "runs": {}}, {}
    for label, folders in RUNS.items():
        for folder in folders:
            if not (HERE / folder / "checkpoint.npz").exists():
                print(f"skipping {folder}: no checkpoint (train it with the config first)")
                continue
            net, cfg, ckpt = load_trained(HERE / folder)
            ds = _load_dataset(cfg)  # the split of this run's seed
            split = hashlib.sha1(ds.x_test.tobytes()).hexdigest()[:12]  # the split (the same for every seed here)
            if split not in floor:  # real training digits against the same held-out digits
                floor[split] = [accuracy_indices(ds.x_test, ds.x_train, seed=s)["EAAI"] for s in SEEDS]
            eaai = []
            for seed in SEEDS:
                x = readout(generate(net, n, seed=1000 + seed)[0])
                eaai.append(accuracy_indices(ds.x_test, x, seed=seed)["EAAI"])
            result["runs"][folder] = {"label": label, "train_seed": cfg.training.seed, "EAAI": eaai,
                                      "mean": float(np.mean(eaai)), "sd": float(np.std(eaai, ddof=1))}  # fmt: skip
            print(folder, f"{np.mean(eaai):.4f} +- {np.std(eaai, ddof=1):.4f}", flush=True)
    result["floor_by_split"] = floor
    floor = [v for vals in floor.values() for v in vals]
    result["floor_train_vs_held_out"] = {
        "EAAI": floor,
        "mean": float(np.mean(floor)),
        "sd": float(np.std(floor, ddof=1)),
    }
    means = {lab: [r["mean"] for r in result["runs"].values() if r["label"] == lab] for lab in RUNS}
    if means["default"] and means["pool, drive 1.25"]:
        result["ratio_mean_of_seeds"] = float(np.mean(means["pool, drive 1.25"]) / np.mean(means["default"]))
        result["ratio_best_vs_best"] = float(min(means["pool, drive 1.25"]) / min(means["default"]))
    fig, ax = new_figure(figsize=(7, 3.8))
    labels = list(RUNS) + ["real training digits\n(copies across the split)"]
    for i, lab in enumerate(labels):
        vals = floor if lab == labels[-1] else [r for r in result["runs"].values() if r["label"] == lab]
        if lab == labels[-1]:
            ax.plot(np.full(len(vals), i) + np.linspace(-0.15, 0.15, len(vals)), vals, "k.", alpha=0.5)
            ax.errorbar(i, np.mean(vals), yerr=np.std(vals, ddof=1), fmt="ks", capsize=4)
            continue
        for j, r in enumerate(vals):
            x = i + (j - (len(vals) - 1) / 2) * 0.2
            ax.plot(np.full(len(r["EAAI"]), x), r["EAAI"], ".", color=f"C{i}", alpha=0.4)
            ax.errorbar(x, r["mean"], yerr=r["sd"], fmt="o", color=f"C{i}", capsize=4)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylabel("EAAI vs the 360 held-out digits")
    ax.set_title(f"digits: {n} random starts per network, {len(SEEDS)} seeds (dots), mean +- sd; one column per "
                 "training seed", fontsize=9)  # fmt: skip
    save_figure(fig, out / "digits_eval.png")
    save_json(out / "digits_eval.json", result)
    return result


if __name__ == "__main__":
    r = main(*[Path(a) for a in sys.argv[1:2]])
    print({k: v for k, v in r.items() if k.startswith("ratio") or k.startswith("floor")})
