"""Unit activity over time: x_i(t) of a few units of one or more runs."""

from __future__ import annotations

from matplotlib.figure import Figure

from .figure import new_figure
from .save import _finish

__all__ = ["plot_traces"]


def plot_traces(traces, path=None, *, units: int = 5, chain: int = 0, labels=None, title: str | None = None) -> Figure:
    """The first ``units`` units' x(t) of one chain, one panel per trace (shared time axis).

    Parameters
    ----------
    traces : a Trace or a list of Traces (``t`` of shape (n_rec,) in units of tau,
        ``x`` of shape (n_rec, M, N))
    path : optional output image (.png, .pdf, ...), written atomically
    units : how many units (the first ones) to draw per panel
    chain : which chain m < M to draw
    labels : panel titles, one per trace
    title : figure title

    Returns the Figure (len(traces) rows of axes).
    """
    traces = list(traces) if isinstance(traces, list | tuple) else [traces]
    fig, axes = new_figure(len(traces), 1, figsize=(8, 2.2 * len(traces)), sharex=True, squeeze=False)
    for k, (ax, tr) in enumerate(zip(axes[:, 0], traces)):
        n = min(units, tr.x.shape[2])
        ax.plot(tr.t, tr.x[:, chain, :n], lw=0.9)
        ax.set_ylabel("x")
        if labels is not None:
            ax.set_title(labels[k], fontsize=9, loc="left")
    axes[-1, 0].set_xlabel("t (units of tau)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _finish(fig, path, dpi=120)
