"""Figures of spiking runs: raster, population rate and the distribution of rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .analysis.spikes import firing_rates, population_rate
from .io import atomic_path
from .plotting import _plt

__all__ = ["plot_raster"]


def plot_raster(
    trace, path, *, chain: int = 0, neurons: int = 200, bin_ms: float = 5.0, title: str | None = None
) -> Path:
    """Raster of the first ``neurons`` neurons, population rate and rate histogram of one chain.

    Parameters
    ----------
    trace : SpikeTrace (from a spiking executor)
    path : output image (.png, .pdf, ...), written atomically
    chain : which chain to draw
    neurons : how many neurons of the raster to show
    bin_ms : bin of the population rate, ms
    """
    plt = _plt()
    i, t = trace.chain(chain)
    N, T = trace.N, trace.duration_ms
    fig = plt.figure(figsize=(9, 5))
    grid = fig.add_gridspec(2, 2, width_ratios=(4, 1), height_ratios=(3, 1))
    ax_r = fig.add_subplot(grid[0, 0])
    sel = i < neurons
    ax_r.plot(t[sel], i[sel], "|", ms=2, color="k")
    ax_r.set_ylabel("neuron")
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
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format=Path(path).suffix.lstrip(".") or "png")
    plt.close(fig)
    return Path(path)
