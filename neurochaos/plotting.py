"""Figures people would rather look at than read (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

from .io import atomic_path

__all__ = ["plot_traces"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_traces(traces, path, *, units: int = 5, labels=None, title: str | None = None) -> Path:
    """Plot a few units' x(t) for one or more traces (one panel each, chain 0).

    Parameters
    ----------
    traces : a Trace or a list of Traces
    path : output image (.png, .pdf, ...), written atomically
    units : how many units to draw per panel
    labels : panel titles
    """
    plt = _plt()
    traces = traces if isinstance(traces, list | tuple) else [traces]
    fig, axes = plt.subplots(len(traces), 1, figsize=(8, 2.2 * len(traces)), sharex=True, squeeze=False)
    for k, (ax, tr) in enumerate(zip(axes[:, 0], traces)):
        n = min(units, tr.x.shape[2])
        ax.plot(tr.t, tr.x[:, 0, :n], lw=0.9)
        ax.set_ylabel("x")
        if labels is not None:
            ax.set_title(labels[k], fontsize=9, loc="left")
    axes[-1, 0].set_xlabel("t (units of tau)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format=Path(path).suffix.lstrip(".") or "png")
    plt.close(fig)
    return Path(path)
