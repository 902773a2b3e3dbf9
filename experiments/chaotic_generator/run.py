"""A chaos-driven image generator whose sampling speed is set by the reservoir gain (Chaudhuri & Handebagh 2024).

A chaotic reservoir (``chaotic_rate``, N = 500, g = 4) is read through a fixed
sparse random projection (k = 64) into the latent input of a small DCGAN
trained on MNIST (and Fashion-MNIST when its files exist). At sampling time
the reservoir runs freely at g = 2, 4, 8 (no retraining) and the generator
reads it every 0.15 tau: consecutive samples (Fig 3), decorrelation time of
the generated images vs g, and the four accuracy indices, with the same
generator fed Gaussian latents (matched mean and variance) as a control.

Usage::

    python experiments/chaotic_generator/run.py experiments/chaotic_generator/scaled.toml
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import numpy as np

from neurochaos.analysis.memory import measure_decorrelation_time
from neurochaos.analysis.stats import estimate_autocorrelation
from neurochaos.errors import DataError
from neurochaos.experiment import experiment_cli, read_config, results_folder, save_run_record
from neurochaos.generators import (
    GANConfig,
    build_reservoir,
    generate_images,
    latent_bank,
    sparse_projection,
    stream_latents,
    train_gan,
)
from neurochaos.io import save_json, save_npz
from neurochaos.plotting import plot_decorrelation, plot_image_rows

LOG = logging.getLogger("neurochaos.experiments.chaotic_generator")
SECTIONS = {
    "experiment": {"out", "datasets", "n_train", "n_eval"},
    "reservoir": {"N", "g_train", "k", "fan_in", "dt", "seed", "bank_size", "bank_chains", "transient", "spacing"},
    "gan": {"width", "epochs", "batch_size", "lr", "seed", "threads"},
    "sampling": {"gains", "every", "T", "chains", "transient", "max_lag", "show_frames", "seed"},
}


def load_config(path) -> dict:
    """Read the TOML; all sections and keys of :data:`SECTIONS` are required, unknown keys are errors."""
    return read_config(path, SECTIONS, complete=True)


def _load(name: str, cfg: dict):
    from neurochaos.data import load_dataset

    e = cfg["experiment"]
    return load_dataset(name, encoding="continuous", n_train=e["n_train"] or None, seed=0)


def _pad_to_4(x: np.ndarray, shape):
    """Pad images (n, h*w) with -1 (background) to multiples of 4 pixels per side."""
    h, w = shape
    H, W = -(-h // 4) * 4, -(-w // 4) * 4
    if (H, W) == (h, w):
        return x, (h, w)
    img = np.full((len(x), H, W), -1.0)
    img[:, :h, :w] = x.reshape(-1, h, w)
    return img.reshape(len(x), -1), (H, W)


def run_dataset(name: str, cfg: dict, folder: Path, progress: bool = False) -> dict:
    from neurochaos.metrics import accuracy_indices

    r, s, e = cfg["reservoir"], cfg["sampling"], cfg["experiment"]
    ds = _load(name, cfg)
    x_train, shape = _pad_to_4(ds.x_train, ds.image_shape)
    x_test, _ = _pad_to_4(ds.x_test, ds.image_shape)
    res = build_reservoir(r["N"], r["g_train"], seed=r["seed"])
    P = sparse_projection(r["k"], r["N"], fan_in=r["fan_in"], seed=r["seed"] + 1)
    t0 = time.perf_counter()
    bank = latent_bank(
        res,
        P,
        r["bank_size"],
        chains=r["bank_chains"],
        transient=r["transient"],
        spacing=r["spacing"],
        dt=r["dt"],
        seed=r["seed"] + 2,
        progress=progress,
    )
    t_bank = time.perf_counter() - t0
    gan_cfg = GANConfig(**cfg["gan"])
    t0 = time.perf_counter()
    trained = train_gan(x_train, bank, shape, gan_cfg, progress=progress)
    t_train = time.perf_counter() - t0
    LOG.info("%s: bank %.0f s, GAN %.0f s (%d epochs)", name, t_bank, t_train, gan_cfg.epochs)
    import torch

    torch.save(trained.generator.state_dict(), folder / f"generator_{name}.pt")
    n_eval = min(e["n_eval"], len(x_test))
    rng = np.random.default_rng(s["seed"])
    out = {
        "dataset": name,
        "source": ds.source,
        "image_shape": list(shape),
        "n_train": len(x_train),
        "n_eval": n_eval,
        "bank_seconds": t_bank,
        "train_seconds": t_train,
        "history": trained.history,
        "bank_std": float(bank.std()),
        "by_gain": {},
    }
    streams, acfs, taus, grids = {}, {}, {}, {}
    for g in s["gains"]:
        stream = {key: s[key] for key in ("T", "every", "chains", "transient", "seed")}  # [sampling] keys
        z = stream_latents(res, P, g=g, dt=r["dt"], progress=progress, **stream)
        imgs = generate_images(trained, z)  # (frames, chains, pixels)
        tau_img = measure_decorrelation_time(imgs, s["every"], subtract_mean=True, max_lag=s["max_lag"])
        tau_z = measure_decorrelation_time(z, s["every"], subtract_mean=True, max_lag=s["max_lag"])
        ac = estimate_autocorrelation(imgs, s["every"], max_lag=s["max_lag"], subtract_mean=True)
        acfs[g], taus[g] = (ac.s, ac.delta / ac.delta0), tau_img
        flat = imgs.reshape(-1, imgs.shape[-1])
        pick = rng.choice(len(flat), size=min(n_eval, len(flat)), replace=False)
        quality = accuracy_indices(x_test[:n_eval], flat[pick])
        streams[g] = imgs
        grids[f"reservoir g={g:g}"] = flat[pick[:8]]
        mean_step = float(np.mean(np.linalg.norm(np.diff(imgs, axis=0), axis=-1)) / math.sqrt(imgs.shape[-1]))
        out["by_gain"][f"{g:g}"] = {
            "image_decorrelation_time": None if math.isinf(tau_img) else tau_img,
            "latent_decorrelation_time": None if math.isinf(tau_z) else tau_z,
            "rms_change_per_frame": mean_step,
            "latent_std": float(z.std()),
            "indices": quality,
        }
        LOG.info("%s g = %g: image tau_d %.3f, latent tau_d %.3f, E2 %.4g", name, g, tau_img, tau_z, quality["E2"])
    gauss = bank.mean(0) + bank.std(0) * np.random.default_rng(s["seed"] + 5).standard_normal((n_eval, r["k"]))
    g_imgs = generate_images(trained, gauss)
    grids["Gaussian latents"] = g_imgs[:8]
    out["gaussian_control"] = {
        "indices": accuracy_indices(x_test[:n_eval], g_imgs),
        "latents": "N(mean, std) of the training bank, per dimension",
    }
    bank_imgs = generate_images(trained, bank[rng.choice(len(bank), n_eval, replace=False)])
    out["bank_g_train"] = {"indices": accuracy_indices(x_test[:n_eval], bank_imgs)}
    grids["test data"] = x_test[:8]
    n_show = s["show_frames"]
    plot_image_rows(
        {f"g = {g:g}": frames[:n_show, 0] for g, frames in streams.items()},
        shape,
        folder / f"fig3_consecutive_{name}.png",
        n=n_show,
        col_titles=[f"{s['every'] * j:.2f}" for j in range(n_show)],
        title=f"consecutive samples, one every {s['every']:g} tau (same generator, trained at g = {r['g_train']:g})",
    )
    plot_decorrelation(
        {f"g = {g:g} (tau_d = {taus[g]:.2f})": acf for g, acf in acfs.items()}, folder / f"decorrelation_{name}.png"
    )
    plot_image_rows(grids, shape, folder / f"samples_{name}.png")
    save_npz(folder / f"frames_{name}.npz", **{f"g{g:g}": streams[g][: s["show_frames"] * 4, :2] for g in streams})
    return out


def main(config_path, out=None, progress: bool = False) -> Path:
    """Train and sample for each data set; returns the output folder."""
    cfg = load_config(config_path)
    folder = results_folder(out, cfg["experiment"].get("out"), "out/chaotic_generator")
    results, skipped, seconds = {}, {}, {}
    for name in cfg["experiment"]["datasets"]:
        try:
            _load(name, cfg)
        except DataError as exc:
            LOG.warning("dataset %s skipped: %s", name, exc)
            skipped[name] = str(exc)
            continue
        t0 = time.perf_counter()
        results[name] = run_dataset(name, cfg, folder, progress)
        seconds[name] = time.perf_counter() - t0
        save_json(folder / "results" / f"{name}.json", {"result": results[name], "config": cfg})
    save_run_record(folder, config_path, cfg, seconds, skipped=skipped, datasets=list(results))
    return folder


if __name__ == "__main__":
    raise SystemExit(experiment_cli(main, __doc__, Path(__file__).with_name("scaled.toml")))
