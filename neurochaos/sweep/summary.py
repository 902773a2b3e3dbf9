"""One metric of a sweep over one or two axes, replicates aggregated (median and spread): what sweep figures draw."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..validation import check_choice, fail
from .grid import REPLICATE

__all__ = ["SweepSummary", "summarise", "SPREADS"]

#: How the spread over replicates is given: the min-max range or the interquartile range.
SPREADS = ("range", "iqr")


@dataclass(frozen=True, eq=False)
class SweepSummary:
    """A metric aggregated over replicates on a grid of ``x`` (and ``y``) values.

    Attributes
    ----------
    metric, x, y : the metric and axis names (``y`` None for one axis)
    x_values : (n_x,) values of ``x``, sorted
    y_values : (n_y,) values of ``y``, sorted (``[None]`` without ``y``)
    median, low, high : ndarray, shape (n_y, n_x), the median and the spread's ends
        (NaN where no point has a value)
    count : ndarray, shape (n_y, n_x), int, points aggregated in each cell
    spread : "range" (min-max) or "iqr" (25th-75th percentile)
    where : the fixed values of the other axes
    """

    metric: str
    x: str
    y: str | None
    x_values: list
    y_values: list
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    count: np.ndarray
    spread: str = "range"
    where: dict | None = None


def _sortable(values):
    return sorted(values, key=lambda v: (isinstance(v, str), v))


def summarise(
    rows, metric: str, x: str, y: str | None = None, *, axes=None, where: dict | None = None, spread: str = "range"
) -> SweepSummary:
    """Aggregate ``metric`` over the replicates of each (x, y) cell.

    Parameters
    ----------
    rows : a sweep folder (its table and axes are read), a list of row dicts or a pyarrow Table
    metric : a numeric metric column
    x, y : axis names (y optional)
    axes : the sweep's axis names (default: from the folder; required for rows)
    where : axis name -> value: keep those rows. Every axis other than x, y and
        ``replicate`` that takes several values must be fixed here (else it would
        silently widen the spread)
    spread : "range" (min-max) or "iqr"

    Rows with an error, or whose metric is None, are left out (see ``count``).

    >>> rows = [{"g": g, "replicate": r, "lam": g - 1 + 0.1 * r, "error": None} for g in (0.5, 2.0) for r in range(3)]
    >>> s = summarise(rows, "lam", "g", axes=["g", "replicate"])
    >>> s.x_values, s.median.round(2).tolist(), s.count.tolist()
    ([0.5, 2.0], [[-0.4, 1.1]], [[3, 3]])
    """
    import os

    if isinstance(rows, str | os.PathLike):
        from .table import SPEC_NAME, read_rows

        folder = rows
        rows = read_rows(folder)
        if axes is None:
            import json
            from pathlib import Path

            axes = json.loads((Path(folder) / SPEC_NAME).read_text())["axes"]
    elif hasattr(rows, "to_pylist"):
        rows = rows.to_pylist()
    rows = list(rows)
    if axes is None:
        fail("axes", "the sweep's axis names when rows are given directly", axes)
    axes = list(axes)
    spread = check_choice(spread, "spread", SPREADS)
    where = dict(where or {})
    if not rows:
        raise ConfigError("`dir` must hold finished points to plot, got an empty table")
    for name, label in ((x, "x"), (y, "y")):
        if name is not None and name not in axes:
            fail(label, f"an axis of the sweep ({', '.join(axes)})", name)
    if y is not None and y == x:
        fail("y", f"an axis other than x = {x!r}", y)
    for name in where:
        if name not in axes:
            fail("where", f"axis names of the sweep ({', '.join(axes)})", name)
    columns = sorted(set().union(*rows) - set(axes) - {"key", "seed", "wall_s", "worker", "finished", "error"})
    if metric not in columns:
        fail("metric", f"one of the table's metrics ({', '.join(columns) or 'none: every point failed'})", metric)
    rows = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
    mixed = [
        a for a in axes if a not in (x, y, REPLICATE) and a not in where and len({repr(r.get(a)) for r in rows}) > 1
    ]
    if mixed:
        fail("where", f"a value for every other axis that varies ({', '.join(mixed)})", where or None)
    good = [r for r in rows if not r.get("error") and r.get(metric) is not None]
    if not good:
        fail("metric", "a column with values in the selected rows (all are errors or None)", metric)
    if not all(isinstance(r[metric], int | float) and not isinstance(r[metric], bool) for r in good):
        fail("metric", "a numeric column", f"{metric!r} holding {type(good[0][metric]).__name__} values")
    xs = _sortable({r[x] for r in rows})
    ys = _sortable({r[y] for r in rows}) if y is not None else [None]
    shape = (len(ys), len(xs))
    med, lo, hi = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    count = np.zeros(shape, dtype=int)
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            v = np.array([r[metric] for r in good if r[x] == xv and (y is None or r[y] == yv)], dtype=float)
            count[i, j] = len(v)
            if len(v):
                med[i, j] = np.median(v)
                lo[i, j], hi[i, j] = (v.min(), v.max()) if spread == "range" else np.percentile(v, [25, 75])
    return SweepSummary(metric, x, y, xs, ys, med, lo, hi, count, spread, where or None)
