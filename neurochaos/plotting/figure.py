"""The one figure factory: :class:`matplotlib.figure.Figure` objects, no pyplot state, no backend switch."""

from __future__ import annotations

import sys

from matplotlib.figure import Figure

__all__ = ["new_figure"]


def _show_in_notebooks() -> None:
    """In a running IPython shell, display returned Figures as PNG (idempotent, cheap).

    IPython registers its Figure formatter only when pyplot is imported under the inline
    backend; figures made here never touch pyplot, so a notebook would otherwise show
    ``<Figure size ... with 1 Axes>`` instead of the picture.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    try:
        shell.display_formatter.formatters["image/png"].lookup_by_type(Figure)
        return  # already registered (here, or by pyplot's inline backend)
    except KeyError:
        pass
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(shell, {"png"}, bbox_inches="tight")


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize=(6.4, 4.8), dpi: float | None = None, **subplots_kw):
    """A new figure and its grid of axes, outside pyplot.

    The figure is a plain :class:`matplotlib.figure.Figure`: it is not registered with
    pyplot (nothing to close, no global state), the active backend is never touched,
    and it draws headless or inline in a notebook alike (Jupyter shows a returned Figure).

    Parameters
    ----------
    nrows, ncols : grid of axes; ``nrows=0`` gives a figure without axes (add them
        with ``fig.add_gridspec`` / ``fig.add_subplot``) and ``None`` in place of the axes
    figsize : (width, height) in inches
    dpi : figure resolution in dots per inch (default: matplotlib's)
    **subplots_kw : passed to :meth:`Figure.subplots` (``sharex``, ``squeeze``,
        ``gridspec_kw``, ``subplot_kw``, ...)

    Returns
    -------
    (fig, axes) : the Figure, and one Axes or an ndarray of Axes of shape (nrows, ncols)
        (squeezed like :func:`matplotlib.pyplot.subplots` unless ``squeeze=False``)

    >>> fig, axes = new_figure(2, 3, figsize=(6, 3), squeeze=False)
    >>> type(fig).__name__, axes.shape
    ('Figure', (2, 3))
    >>> new_figure(0)[1] is None
    True
    """
    _show_in_notebooks()
    fig = Figure(figsize=figsize, dpi=dpi)
    if nrows == 0:
        return fig, None
    return fig, fig.subplots(nrows, ncols, **subplots_kw)
