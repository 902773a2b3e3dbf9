"""Writing figures: atomically (a temporary file renamed onto the target), never half-written."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.figure import Figure

from ..io import atomic_path

__all__ = ["save_figure"]


def save_figure(fig: Figure, path: str | os.PathLike, *, dpi: float = 110) -> Path:
    """Save ``fig`` to ``path`` atomically; the format follows the suffix (png when there is none).

    Parameters
    ----------
    fig : a matplotlib Figure (from :func:`neurochaos.plotting.new_figure` or pyplot)
    path : output image (.png, .pdf, .svg, ...); missing parent folders are created
    dpi : resolution of raster formats, dots per inch

    Returns the path. The figure stays open and can be saved again or shown.

    >>> import tempfile
    >>> from neurochaos.plotting import new_figure
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = save_figure(fig, Path(d) / "line.png")
    ...     p.stat().st_size > 0
    True
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_path(path, path.suffix or ".png") as tmp:
        fig.savefig(tmp, dpi=dpi, format=fmt)
    return path


def _finish(fig: Figure, path, dpi: float = 110) -> Figure:
    """Save ``fig`` when ``path`` is given; return it (the tail of every ``plot_*`` function)."""
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig
