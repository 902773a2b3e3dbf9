"""Sweep figures: one metric over one or two axes, replicates aggregated (median and spread)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from .figure import new_figure
from .save import _finish

__all__ = ["plot_sweep", "SWEEP_KINDS"]

#: "lines": the metric against x, one line per y value, the spread as a band; "heatmap": y by x cells.
SWEEP_KINDS = ("lines", "heatmap")


def _label(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def plot_sweep(summary, path=None, *, kind: str = "lines", title: str | None = None) -> Figure:
    """Draw a :class:`~neurochaos.sweep.SweepSummary` (see :func:`neurochaos.sweep.summarise`).

    Parameters
    ----------
    summary : SweepSummary: ``x_values (n_x,)``, ``y_values (n_y,)``, ``median``, ``low``,
        ``high``, ``count`` each of shape (n_y, n_x)
    path : optional output image, written atomically
    kind : "lines" (median against x, one line per y value, band from low to high) or
        "heatmap" (two panels, y by x: the median, and the spread high - low; needs y)
    title : figure title (default: metric, axes and what is aggregated)

    Returns the Figure.
    """
    from ..validation import check_choice, fail

    s = summary
    kind = check_choice(kind, "kind", SWEEP_KINDS)
    spread = "min-max" if s.spread == "range" else "25-75th percentile"
    n = int(s.count.max()) if s.count.size else 0
    where = ", ".join(f"{k} = {_label(v)}" for k, v in (s.where or {}).items())
    title = title or f"{s.metric}: median over replicates (n <= {n}), {spread} spread" + (f"; {where}" if where else "")
    numeric_x = all(isinstance(v, int | float) and not isinstance(v, bool) for v in s.x_values)
    if kind == "lines":
        fig, ax = new_figure(figsize=(6.4, 4.4))
        xs = np.asarray(s.x_values, dtype=float) if numeric_x else np.arange(len(s.x_values))
        for i, yv in enumerate(s.y_values):
            label = None if s.y is None else f"{s.y} = {_label(yv)}"
            line = ax.plot(xs, s.median[i], "o-", ms=3, label=label)[0]
            ax.fill_between(xs, s.low[i], s.high[i], color=line.get_color(), alpha=0.25, lw=0)
        if not numeric_x:
            ax.set_xticks(xs, [_label(v) for v in s.x_values])
        ax.set_xlabel(s.x)
        ax.set_ylabel(s.metric)
        if s.y is not None:
            ax.legend(fontsize=8)
        ax.set_title(title, fontsize=9)
        fig.tight_layout()
        return _finish(fig, path, dpi=120)
    if s.y is None:
        fail("y", "an axis for a heatmap (kind='heatmap' draws y by x)", None)
    fig, axes = new_figure(1, 2, figsize=(10, 4.2))
    for ax, data, name in ((axes[0], s.median, f"median {s.metric}"), (axes[1], s.high - s.low, f"spread ({spread})")):
        kw = {}
        finite = data[np.isfinite(data)]
        if data is s.median and finite.size and finite.min() < 0 < finite.max():  # signed (lambda_max): 0 is white
            kw = {"cmap": "RdBu_r", "norm": TwoSlopeNorm(0.0, finite.min(), finite.max())}
        im = ax.imshow(np.ma.masked_invalid(data), origin="lower", aspect="auto", interpolation="nearest", **kw)
        if data is s.median and "norm" in kw:
            ax.contour(data, levels=[0.0], colors="k", linewidths=1.0)
        ax.set_xticks(np.arange(len(s.x_values)), [_label(v) for v in s.x_values], fontsize=7)
        ax.set_yticks(np.arange(len(s.y_values)), [_label(v) for v in s.y_values], fontsize=7)
        ax.set_xlabel(s.x)
        ax.set_ylabel(s.y)
        ax.set_title(name, fontsize=9)
        fig.colorbar(im, ax=ax)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return _finish(fig, path, dpi=120)
