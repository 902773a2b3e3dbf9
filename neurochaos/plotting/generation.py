"""Generative models: indices vs read-out time, training age and retraining generation; the demo's summary; decorrelation."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from .figure import new_figure
from .images import tile_images
from .save import _finish

__all__ = [
    "plot_decorrelation",
    "plot_generation_summary",
    "plot_readout_times",
    "plot_training_age",
    "plot_self_consuming",
]

INDEX_NAMES = ("E2", "Es", "ER", "EAAI")


def _index_label(name: str) -> str:
    return "|ER|" if name == "ER" else name


def plot_readout_times(
    samples, times_ms, indices: list, shape, path=None, title: str | None = None, *, n: int = 8
) -> Figure:
    """The same chains read at several times (one row of ``n`` images per time) and the indices vs t.

    Parameters
    ----------
    samples : (n_times, n_chains, h*w) images in [-1, 1], ``samples[i]`` read at ``times_ms[i]``
    times_ms : (n_times,) read-out times, ms
    indices : n_times dicts with keys E2, Es, ER, EAAI (``|ER|`` is drawn), lower is better
    shape : (h, w) of one image
    path : optional output image, written atomically
    title : figure title
    n : chains shown per row

    Returns the Figure: images on the left, indices (log scale) vs t on the right.
    """
    fig, _ = new_figure(0, figsize=(11, 1.3 * len(times_ms) + 0.6))
    grid = fig.add_gridspec(len(times_ms), 2, width_ratios=[1.4, 1.0])
    for i, t in enumerate(times_ms):
        ax = fig.add_subplot(grid[i, 0])
        ax.imshow(tile_images(samples[i, :n], shape, n), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_ylabel(f"t = {t:g} ms", rotation=0, ha="right", va="center", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    ax = fig.add_subplot(grid[:, 1])
    for name in INDEX_NAMES:
        ax.plot(times_ms, [abs(d[name]) for d in indices], "o-", label=_index_label(name))
    ax.set_yscale("log")
    ax.set_xlabel("read-out time t (ms)")
    ax.set_ylabel("index (lower is better)")
    ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _finish(fig, path)


def plot_training_age(curves: dict, lyap: dict, path=None, title: str | None = None) -> Figure:
    """The four indices vs training age per architecture, plus lambda_max vs age.

    Parameters
    ----------
    curves : architecture -> training history, a list of dicts with ``step`` and E2, Es, ER, EAAI
    lyap : architecture -> (steps (n,), lambda_max (n,) in 1/tau)
    path : optional output image, written atomically
    title : figure title

    Returns the Figure: five panels (four indices on log scales, lambda_max with a line at 0).
    """
    fig, axes = new_figure(1, 5, figsize=(18, 3.4))
    for arch, hist in curves.items():
        steps = [h["step"] for h in hist]
        for ax, name in zip(axes[:4], INDEX_NAMES):
            ax.plot(steps, [abs(h[name]) for h in hist], "o-", ms=3, label=arch)
    for ax, name in zip(axes[:4], INDEX_NAMES):
        ax.set_yscale("log")
        ax.set_xlabel("training steps")
        ax.set_title(_index_label(name), fontsize=9)
    axes[0].legend(fontsize=8)
    ax = axes[4]
    for arch, (steps, lam) in lyap.items():
        ax.plot(steps, lam, "o-", ms=3, label=arch)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_xlabel("training steps")
    ax.set_title("lambda_max (1/tau)", fontsize=9)
    ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _finish(fig, path)


def plot_generation_summary(
    data, samples, history: list, lambda_max: float, shape, path=None, *, n: int = 48, cols: int = 8
) -> Figure:
    """Held-out data | generated samples | indices vs training age (the ``neurochaos demo`` figure).

    Parameters
    ----------
    data : (n_data, h*w) held-out images in [-1, 1] (the first ``n`` are drawn)
    samples : (n_samples, h*w) generated images in [-1, 1]
    history : training history, a list of dicts with ``step`` and E2, Es, ER, EAAI
    lambda_max : final largest Lyapunov exponent, 1/tau (in the title of the third panel)
    shape : (h, w) of one image
    path : optional output image, written atomically
    n, cols : images per mosaic and mosaic columns

    Returns the Figure: three panels.
    """
    fig, axes = new_figure(1, 3, figsize=(13, 4.2))
    for ax, x, name in ((axes[0], data[:n], "held-out digits"), (axes[1], samples[:n], "generated samples")):
        ax.imshow(tile_images(x, shape, cols), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_title(name, fontsize=10)
        ax.axis("off")
    steps = [r["step"] for r in history]
    for key in ("E2", "Es", "EAAI"):
        axes[2].plot(steps, [r[key] for r in history], "o-", ms=3, label=key)
    axes[2].plot(steps, [abs(r["ER"]) for r in history], "o-", ms=3, label="|ER|")
    axes[2].set_yscale("log")
    axes[2].set_xlabel("training steps")
    axes[2].set_title(f"indices vs training age (lower is better)\nfinal lambda_max = {lambda_max:.3f}/tau", fontsize=9)
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    return _finish(fig, path)


def plot_decorrelation(curves: dict, path=None, *, title: str | None = None) -> Figure:
    """Normalised autocorrelation C(s) / C(0) against lag, one line per label, with the 1/e level.

    Parameters
    ----------
    curves : label (e.g. ``"g = 4 (tau_d = 0.8)"``) -> (s (n_lags,) in tau, c (n_lags,))
    path : optional output image, written atomically
    title : axes title

    Returns the Figure (one axes).
    """
    fig, ax = new_figure(figsize=(5, 3.4))
    for label, (s, c) in curves.items():
        ax.plot(s, c, label=label)
    ax.axhline(math.exp(-1), ls="--", color="k", lw=0.7)
    ax.set_xlabel("lag (tau)")
    ax.set_ylabel("image autocorrelation")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _finish(fig, path)


def plot_chaos_vs_age(histories: dict, path=None, *, title: str | None = None) -> Figure:
    """lambda_max, saturated fraction and Jacobian radius against training step, one line per label.

    Parameters
    ----------
    histories : {label: list of records} with ``step``, ``lambda_max`` (1/tau), ``saturated``
        and ``jacobian_radius`` (the trainer's chaos history, :func:`~neurochaos.learning.chaos.chaos_probe`)
    path : optional output image
    """
    fig, axes = new_figure(1, 3, figsize=(13.5, 3.8))
    keys = (("lambda_max", "lambda_max (1/tau)"), ("saturated", "saturated units, |tanh x| > 0.99"),
            ("jacobian_radius", "spectral radius of (gJ0 + A) diag(1 - r^2)"))  # fmt: skip
    for label, records in histories.items():
        steps = [r["step"] for r in records]
        for ax, (key, _) in zip(axes, keys):
            ax.plot(steps, [r[key] for r in records], marker="o", ms=3, lw=1.2, label=label)
    for ax, (_, name) in zip(axes, keys):
        ax.set_xlabel("training step")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
    axes[0].axhline(0.0, color="k", lw=0.8)
    axes[2].axhline(1.0, color="k", lw=0.8)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _finish(fig, path)


def plot_class_coverage(histograms: dict, path=None, *, title: str | None = None) -> Figure:
    """Fraction of samples per class (bars), one group per label, with the 3 % line.

    Parameters
    ----------
    histograms : {label: sequence of 10 fractions}
    """
    import numpy as np

    fig, ax = new_figure(figsize=(8.0, 3.6))
    labels = list(histograms)
    width = 0.8 / max(1, len(labels))
    for i, label in enumerate(labels):
        h = np.asarray(histograms[label], dtype=float)
        ax.bar(np.arange(len(h)) + (i - (len(labels) - 1) / 2) * width, h, width, label=label)
    ax.axhline(0.03, color="k", lw=0.8, ls="--", label="3 %")
    ax.set_xticks(range(10))
    ax.set_xlabel("class (logistic regression on held-out digits)")
    ax.set_ylabel("fraction of samples")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return _finish(fig, path)


def plot_self_consuming(curves: dict, path=None, *, title: str | None = None, indices=("EAAI", "AA_syn")) -> Figure:
    """Indices against held-out data vs retraining generation: one column per lambda, one line per generator.

    Parameters
    ----------
    curves : {generator: {lambda (str): list of rows}}, rows with ``generation`` and the indices
        (:func:`neurochaos.generators.self_consuming`)
    indices : the indices drawn, one row of panels each
    """
    lams = sorted({lam for per in curves.values() for lam in per}, key=float, reverse=True)
    fig, axes = new_figure(
        len(indices), len(lams), figsize=(3.6 * len(lams) + 0.8, 2.8 * len(indices)), squeeze=False, sharey="row"
    )
    for j, lam in enumerate(lams):
        for i, key in enumerate(indices):
            ax = axes[i][j]
            for name, per in curves.items():
                rows = per.get(lam)
                if rows:
                    ax.plot([r["generation"] for r in rows], [r[key] for r in rows], marker="o", ms=3, label=name)
            ax.grid(alpha=0.3)
            if i == 0:
                ax.set_title(f"lambda = {lam} (real fraction)", fontsize=9)
            if i == len(indices) - 1:
                ax.set_xlabel("generation")
            if j == 0:
                ax.set_ylabel(_index_label(key))
    axes[0][0].legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _finish(fig, path)
