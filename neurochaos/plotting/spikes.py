"""Spiking runs: raster, population rate and the distribution of single-neuron rates."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .figure import new_figure
from .save import _finish

__all__ = ["plot_raster"]


def plot_raster(
    trace, path=None, *, chain: int = 0, neurons: int = 200, bin_ms: float = 5.0, title: str | None = None
) -> Figure:
    """Raster of the first ``neurons`` neurons, population rate and rate histogram of one chain.

    Parameters
    ----------
    trace : SpikeTrace (from a spiking executor): spikes ``chain(m) -> (i, t_ms)``, ``N``
        neurons per chain, ``duration_ms``
    path : optional output image (.png, .pdf, ...), written atomically
    chain : which chain to draw
    neurons : how many neurons of the raster to show (index < neurons); the axis label says
        how many of the N are shown
    bin_ms : bin of the population rate, ms

    Returns the Figure: raster (neuron vs t in ms), population rate (Hz vs t in ms)
    below it, histogram of the N single-neuron rates (Hz) on the right.
    """
    from ..analysis.spikes import firing_rates, population_rate  # scipy.signal: imported on first use

    i, t = trace.chain(chain)
    N, T = trace.N, trace.duration_ms
    fig, _ = new_figure(0, figsize=(9, 5))
    grid = fig.add_gridspec(2, 2, width_ratios=(4, 1), height_ratios=(3, 1))
    ax_r = fig.add_subplot(grid[0, 0])
    shown = min(neurons, N)
    sel = i < shown
    ax_r.plot(t[sel], i[sel], "|", ms=2, color="k")
    ax_r.set_ylabel(f"neuron (first {shown} of {N})" if shown < N else f"neuron (all {N})")
    ax_r.set_ylim(-0.5, shown - 0.5)
    ax_r.set_xlim(0, T)
    ax_p = fig.add_subplot(grid[1, 0], sharex=ax_r)
    tb, rb = population_rate(t, N, T, bin_ms)
    ax_p.plot(tb + bin_ms / 2, rb, lw=0.9)
    ax_p.set_xlabel("t (ms)")
    ax_p.set_ylabel("rate (Hz)")
    ax_h = fig.add_subplot(grid[:, 1])
    rates = firing_rates(i, t, N, T)
    ax_h.hist(rates, bins=30, orientation="horizontal", color="0.4")
    ax_h.set_ylabel("single-neuron rate (Hz)")
    ax_h.set_xlabel("count")
    ax_h.set_title(f"mean {np.mean(rates):.1f} Hz", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _finish(fig, path, dpi=120)
