"""Gain-modulation runs: g(t), the overlaps with the stored patterns and the memory visited."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .figure import new_figure
from .save import _finish

__all__ = ["plot_gain_cycle"]


def plot_gain_cycle(result, path=None, *, chain: int = 0, title: str | None = None) -> Figure:
    """Gain g(t), overlaps m_mu(t) (signed heat map), max ``|m_mu|`` with orthogonal activity, and memory label.

    Parameters
    ----------
    result : GainCycleResult (from :func:`neurochaos.protocols.run_gain_cycle`): ``run.t``
        (n_rec,) in tau, ``run.gains`` (n_rec,), ``overlaps`` (n_rec, M, P),
        ``orthogonal`` (n_rec, M), ``labels`` (n_rec, M) with -1 between memories
    path : optional output image, written atomically
    chain : which chain m < M to draw
    title : figure title (default: model, N, P, cycle and the summary's rates)

    Returns the Figure: four rows sharing t (units of tau).
    """
    run, m = result.run, result.overlaps
    t = run.t
    fig, axes = new_figure(4, 1, figsize=(9, 7), sharex=True, gridspec_kw={"height_ratios": [1, 2.2, 1.2, 1]})
    axes[0].plot(t, run.gains, color="k", lw=1)
    axes[0].set_ylabel("g(t)")
    im = axes[1].imshow(
        m[:, chain].T,
        aspect="auto",
        origin="lower",
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        extent=(t[0], t[-1], -0.5, m.shape[2] - 0.5),
        interpolation="nearest",
    )
    axes[1].set_ylabel("pattern mu")
    # the colour bar sits in an inset beside the heat map, so it takes no width from it: all four time axes line up
    fig.colorbar(im, cax=axes[1].inset_axes([1.01, 0.0, 0.015, 1.0]), label="m_mu")
    axes[2].plot(t, np.abs(m[:, chain]).max(axis=1), lw=0.8, label="max |m_mu|")
    axes[2].plot(t, result.orthogonal[:, chain], lw=0.8, label="orthogonal activity")
    axes[2].set_ylim(0, 1.05)
    axes[2].legend(fontsize=7, loc="upper right")
    lab = result.labels[:, chain]
    axes[3].plot(t, np.where(lab >= 0, lab, np.nan), ".", ms=1.5, color="C3")
    axes[3].set_ylim(-0.5, m.shape[2] - 0.5)
    axes[3].set_ylabel("memory")
    axes[3].set_xlabel("t (units of tau)")
    fig.suptitle(title or _title(result.summary), fontsize=9)
    fig.tight_layout()
    return _finish(fig, path)


def _title(s: dict) -> str:
    c = s["settings"]["cycle"]
    return (
        f"{s['settings']['model']} N={s['settings']['N']} P={s['settings']['P']} g {c['low']:g}<->{c['high']:g} "
        f"period {c['period']:g}: {s['memories_per_cycle']:.2f} memories/cycle, {s['switches_per_tau']:.3f} switches/tau"
    )
