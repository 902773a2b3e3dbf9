"""Figures of the chaotic-generation experiment (Fournier & Urbani 2024, Figs 2-5), matplotlib Agg."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurochaos.io import atomic_path

INDEX_NAMES = ("E2", "Es", "ER", "EAAI")


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path) -> Path:
    plt = _plt()
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return Path(path)


def _tile(images: np.ndarray, shape, cols: int) -> np.ndarray:
    """(n, D) images in [-1, 1] -> one (rows*h, cols*w) mosaic with 1-pixel gaps."""
    h, w = shape
    n = len(images)
    rows = int(np.ceil(n / cols))
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for k, img in enumerate(images):
        r, c = divmod(k, cols)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = img.reshape(h, w)
    return out


def plot_samples_vs_data(data, samples: dict, shape, path, title: str, n: int = 16) -> Path:
    """Fig 2: a grid of data next to a grid of samples of each architecture."""
    plt = _plt()
    panels = {"data (test set)": data[:n], **{k: v[:n] for k, v in samples.items()}}
    fig, axes = plt.subplots(1, len(panels), figsize=(max(2.6 * len(panels), 7.5), 2.9))
    for ax, (name, imgs) in zip(np.atleast_1d(axes), panels.items()):
        ax.imshow(_tile(imgs, shape, 4), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_title(name, fontsize=9)
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def plot_readout_times(samples: np.ndarray, times_ms, indices: list, shape, path, title: str, n: int = 8) -> Path:
    """Fig 3: the same chains read at several times (rows), and the four indices vs t."""
    plt = _plt()
    fig = plt.figure(figsize=(11, 1.3 * len(times_ms) + 0.6))
    grid = fig.add_gridspec(len(times_ms), 2, width_ratios=[1.4, 1.0])
    for i, t in enumerate(times_ms):
        ax = fig.add_subplot(grid[i, 0])
        ax.imshow(_tile(samples[i, :n], shape, n), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_ylabel(f"t = {t:g} ms", rotation=0, ha="right", va="center", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    ax = fig.add_subplot(grid[:, 1])
    for name in INDEX_NAMES:
        ax.plot(times_ms, [abs(d[name]) for d in indices], "o-", label=name if name != "ER" else "|ER|")
    ax.set_yscale("log")
    ax.set_xlabel("read-out time t (ms)")
    ax.set_ylabel("index (lower is better)")
    ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def plot_receptive_fields(fields: np.ndarray, g: float, shape, path, title: str) -> Path:
    """Fig 4: visible-hidden weights of 9 hidden units, colour scale divided by g."""
    plt = _plt()
    fields = np.asarray(fields) / g
    lim = float(np.abs(fields).max()) or 1.0
    fig, axes = plt.subplots(3, 3, figsize=(6.2, 6))
    for ax, f in zip(axes.ravel(), fields):
        im = ax.imshow(f.reshape(shape), cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.axis("off")
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label="W / g")
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def plot_training_age(curves: dict, lyap: dict, path, title: str) -> Path:
    """Fig 5: the four indices vs training age per architecture, plus lambda_max vs age."""
    plt = _plt()
    fig, axes = plt.subplots(1, 5, figsize=(18, 3.4))
    for arch, hist in curves.items():
        steps = [h["step"] for h in hist]
        for ax, name in zip(axes[:4], INDEX_NAMES):
            ax.plot(steps, [abs(h[name]) for h in hist], "o-", ms=3, label=arch)
    for ax, name in zip(axes[:4], INDEX_NAMES):
        ax.set_yscale("log")
        ax.set_xlabel("training steps")
        ax.set_title(name if name != "ER" else "|ER|", fontsize=9)
    axes[0].legend(fontsize=8)
    ax = axes[4]
    for arch, (steps, lam) in lyap.items():
        ax.plot(steps, lam, "o-", ms=3, label=arch)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_xlabel("training steps")
    ax.set_title("lambda_max (1/tau)", fontsize=9)
    ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)
