"""Sweep figures: one metric over one or two axes, replicates aggregated (median and spread); two metrics against each other."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from .figure import new_figure
from .save import _finish

__all__ = ["plot_sweep", "plot_sweep_scatter", "SWEEP_KINDS"]

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


def plot_sweep_scatter(
    rows,
    x: str,
    y: str,
    path=None,
    *,
    colour: str | None = None,
    marker: str | None = None,
    logy: bool = False,
    annotate: str | None = None,
    title: str | None = None,
) -> Figure:
    """One point per sweep row: metric ``y`` against metric ``x`` (a trade-off between two results).

    Parameters
    ----------
    rows : list of dicts, one per finished point (:func:`neurochaos.sweep.read_rows`); rows
        without a finite ``x`` and ``y`` (failed points) are left out and counted in the title
    x, y : column names (metrics or axes) with numbers
    path : optional output image, written atomically
    colour : column whose value sets the colour (one legend entry per value)
    marker : column whose value sets the marker shape (one legend entry per value)
    logy : logarithmic y axis (for a positive metric such as an error)
    annotate : column written next to each point (e.g. an axis that neither colour nor marker shows)
    title : figure title (default: y vs x and how many points)

    Returns the Figure.
    """
    from ..validation import fail

    def number(r, name):
        v = r.get(name)
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v) else None

    for name, label in ((x, "x"), (y, "y")) + tuple((n, w) for n, w in ((colour, "colour"), (marker, "marker")) if n):
        if not any(name in r for r in rows):
            names = sorted({k for r in rows for k in r})
            fail(label, f"a column of the rows (one of: {', '.join(names)})", name)
    kept = [r for r in rows if number(r, x) is not None and number(r, y) is not None and (not logy or number(r, y) > 0)]
    colours = sorted({_label(r.get(colour)) for r in kept}) if colour else [None]
    markers = sorted({_label(r.get(marker)) for r in kept}) if marker else [None]
    shapes = "osD^vP*X"
    fig, ax = new_figure(figsize=(6.8, 4.6))
    palette = [f"C{i}" for i in range(10)]
    for ci, cv in enumerate(colours):
        for mi, mv in enumerate(markers):
            pts = [
                r
                for r in kept
                if (colour is None or _label(r.get(colour)) == cv) and (marker is None or _label(r.get(marker)) == mv)
            ]
            if not pts:
                continue
            ax.scatter(
                [number(r, x) for r in pts],
                [number(r, y) for r in pts],
                s=40,
                color=palette[ci % len(palette)],
                marker=shapes[mi % len(shapes)],
                edgecolors="k",
                linewidths=0.5,
            )
            if annotate:
                for r in pts:
                    ax.annotate(_label(r.get(annotate)), (number(r, x), number(r, y)), fontsize=7,
                                xytext=(4, 3), textcoords="offset points")  # fmt: skip
    if colour:
        for ci, cv in enumerate(colours):
            ax.scatter([], [], color=palette[ci % len(palette)], marker="s", label=f"{colour} = {cv}")
    if marker:
        for mi, mv in enumerate(markers):
            ax.scatter([], [], color="0.6", marker=shapes[mi % len(shapes)], edgecolors="k", label=f"{marker} = {mv}")
    if colour or marker:
        ax.legend(fontsize=7)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.grid(alpha=0.3)
    left = len(rows) - len(kept)
    ax.set_title(
        title or f"{y} vs {x}: {len(kept)} points" + (f" ({left} without both left out)" if left else ""), fontsize=9
    )
    fig.tight_layout()
    return _finish(fig, path, dpi=120)
