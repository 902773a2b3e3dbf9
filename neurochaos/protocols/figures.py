"""Figures of gain-modulation runs (matplotlib, Agg; written atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io import atomic_path
from ..plotting import _plt

__all__ = ["plot_gain_cycle", "save_figure"]


def save_figure(fig, path) -> Path:
    """Save a matplotlib figure atomically and close it."""
    plt = _plt()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format=Path(path).suffix.lstrip(".") or "png")
    plt.close(fig)
    return Path(path)


def plot_gain_cycle(result, path, *, chain: int = 0, title: str | None = None) -> Path:
    """Gain g(t), overlaps m_mu(t) (heat map, signed) and orthogonal activity of one chain.

    Parameters
    ----------
    result : GainCycleResult (from :func:`neurochaos.protocols.run_gain_cycle`)
    path : output image
    chain : which chain to draw
    """
    plt = _plt()
    run, m = result.run, result.overlaps
    t = run.t
    fig, axes = plt.subplots(4, 1, figsize=(9, 7), sharex=True, gridspec_kw={"height_ratios": [1, 2.2, 1.2, 1]})
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
    fig.colorbar(im, ax=axes[1], pad=0.01, label="m_mu")
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
    return save_figure(fig, path)


def _title(s: dict) -> str:
    c = s["settings"]["cycle"]
    return (
        f"{s['settings']['model']} N={s['settings']['N']} P={s['settings']['P']} g {c['low']:g}<->{c['high']:g} "
        f"period {c['period']:g}: {s['memories_per_cycle']:.2f} memories/cycle, {s['switches_per_tau']:.3f} switches/tau"
    )
