"""The transition to chaos: sensitivity to initial conditions, lambda_max vs g, Delta(s) vs DMFT, spectra."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .figure import new_figure
from .save import _finish

__all__ = [
    "plot_autocorrelation",
    "plot_lambda_vs_g",
    "plot_lyapunov_spectra",
    "plot_running_lambda",
    "plot_sensitivity",
    "plot_state_space",
]


def _labelled(fig, ax, path, xlabel: str, ylabel: str, title: str | None) -> Figure:
    """Axis labels, optional title, legend and layout of a one-axes figure; then save (``path``) and return it."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _finish(fig, path, dpi=120)


def plot_sensitivity(
    trace, path=None, *, units: int = 3, labels=("x(0)", "perturbed"), title: str | None = None
) -> Figure:
    """Two nearby trajectories: the first ``units`` units of both, and their distance ``|x - x'|(t)`` (log scale).

    Parameters
    ----------
    trace : a Trace with two chains, ``x`` of shape (n_rec, 2, N) (reference, perturbed),
        ``t`` of shape (n_rec,) in units of tau
    path : optional output image, written atomically
    units : how many units to draw (one panel each)
    labels : legend of the reference and the perturbed chain
    title : figure title

    Returns the Figure: ``units`` + 1 rows sharing t.
    """
    x = trace.x
    dist = np.linalg.norm(x[:, 1] - x[:, 0], axis=1)
    fig, axes = new_figure(units + 1, 1, figsize=(8, 2 * (units + 1)), sharex=True, squeeze=False)
    axes = axes[:, 0]
    for i, ax in enumerate(axes[:units]):
        ax.plot(trace.t, x[:, 0, i], lw=1.0, label=labels[0])
        ax.plot(trace.t, x[:, 1, i], "--", lw=1.0, label=labels[1])
        ax.set_ylabel(f"x_{i}")
    axes[0].legend(fontsize=8, loc="upper right")
    axes[-1].semilogy(trace.t, dist)
    axes[-1].set_ylabel("|x - x'|")
    axes[-1].set_xlabel("t (units of tau)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _finish(fig, path, dpi=120)


def plot_state_space(
    trace,
    path=None,
    *,
    until: float | None = None,
    units=(0, 1, 2),
    labels=("x(0)", "perturbed"),
    title: str | None = None,
) -> Figure:
    """Trajectories of every chain in the 3-D space of three units (solid, then dashed ...).

    Parameters
    ----------
    trace : a Trace, ``x`` of shape (n_rec, M, N), ``t`` (n_rec,) in units of tau
    path : optional output image, written atomically
    until : draw records with t < until (tau); default all
    units : the three unit indices on the x, y and z axes
    labels : legend entry per chain (M of them)
    title : axes title

    Returns the Figure (one 3-D axes).
    """
    t, x = np.asarray(trace.t), trace.x
    n = len(t) if until is None else int(np.searchsorted(t, until - 1e-9 * max(1.0, abs(until))))
    fig, _ = new_figure(0, figsize=(6, 5))
    ax = fig.add_subplot(projection="3d")
    for m, lab in enumerate(labels[: x.shape[1]]):
        ax.plot(*x[:n, m, list(units)].T, "-" if m == 0 else "--", lw=0.8, label=lab)
    ax.set_xlabel(f"x_{units[0]}")
    ax.set_ylabel(f"x_{units[1]}")
    ax.set_zlabel(f"x_{units[2]}")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return _finish(fig, path, dpi=120)


def plot_lambda_vs_g(gains, lambdas: dict, path=None, *, title: str | None = None) -> Figure:
    """lambda_max against g per network size: mean over seeds, with the min-max band.

    Parameters
    ----------
    gains : (n_g,) gains g
    lambdas : label (e.g. ``"N = 500"``) -> array of shape (n_g, n_seeds), lambda_max in 1/tau
    path : optional output image, written atomically
    title : axes title

    Returns the Figure (one axes; lines at lambda = 0 and g = 1).
    """
    fig, ax = new_figure(figsize=(6, 4))
    for label, lam in lambdas.items():
        lam = np.asarray(lam, dtype=float).reshape(len(gains), -1)
        line = ax.plot(gains, lam.mean(1), "o-", ms=3, label=f"{label} (mean, {lam.shape[1]} seeds)")[0]
        ax.fill_between(gains, lam.min(1), lam.max(1), color=line.get_color(), alpha=0.25)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.axvline(1.0, color="gray", ls=":", lw=0.8)
    ax.set_xlabel("g")
    ax.set_ylabel("lambda_max (1/tau)")
    ax.set_title(title or "Largest Lyapunov exponent (QR method): sign change near g = 1", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _finish(fig, path, dpi=120)


def plot_autocorrelation(simulated: dict, theory: dict | None = None, path=None, *, title: str | None = None) -> Figure:
    """Delta(s) of simulations (solid) and of the DMFT (dashed, same colour).

    Parameters
    ----------
    simulated : label (e.g. ``"g = 2"``) -> Autocorrelation (``s`` (n_lags,) in tau, ``delta`` (n_lags,))
    theory : label -> DMFTSolution (``s``, ``delta``), drawn for the labels it shares with ``simulated``
    path : optional output image, written atomically
    title : axes title

    Returns the Figure (one axes).
    """
    theory = theory or {}
    fig, ax = new_figure(figsize=(6, 4))
    for label, ac in simulated.items():
        line = ax.plot(ac.s, ac.delta, lw=1.2, label=f"{label} simulated")[0]
        if label in theory:
            th = theory[label]
            ax.plot(th.s, th.delta, "--", color=line.get_color(), lw=1.2, label=f"{label} DMFT")
    return _labelled(fig, ax, path, "s (units of tau)", "Delta(s)", title)


def plot_lyapunov_spectra(spectra: dict, path=None, *, title: str | None = None) -> Figure:
    """Lyapunov spectra against i / N, one line per size (extensivity: the curves collapse).

    Parameters
    ----------
    spectra : N (network size) -> LyapunovSpectrum (``spectrum`` (k,) in 1/tau, descending;
        ``kaplan_yorke_dim``)
    path : optional output image, written atomically
    title : axes title

    Returns the Figure (one axes; exponent i = 1 .. k at i / N).
    """
    fig, ax = new_figure(figsize=(6, 4))
    for N, r in spectra.items():
        N = int(N)
        k = len(r.spectrum)
        ax.plot((np.arange(k) + 1) / N, r.spectrum, lw=1.2, label=f"N = {N}, D_KY/N = {r.kaplan_yorke_dim / N:.3f}")
    ax.axhline(0.0, color="k", lw=0.8)
    return _labelled(fig, ax, path, "i / N", "lambda_i (1/tau)", title)


def plot_running_lambda(estimates: dict, path=None, *, title: str | None = None) -> Figure:
    """Running lambda_max estimates against measured time (convergence of several methods).

    Parameters
    ----------
    estimates : label -> result with ``trace_t`` (n_ons,) in tau and ``trace`` in 1/tau, either
        (n_ons,) (MaxLyapunov) or (n_ons, m) (LyapunovSpectrum: column 0 is drawn)
    path : optional output image, written atomically
    title : axes title

    Returns the Figure (one axes; solid, dashed, dotted ... lines).
    """
    fig, ax = new_figure(figsize=(6, 4))
    for k, (label, r) in enumerate(estimates.items()):
        tr = np.asarray(r.trace)
        ax.plot(r.trace_t, tr[:, 0] if tr.ndim == 2 else tr, ("-", "--", ":", "-.")[k % 4], label=label)
    return _labelled(fig, ax, path, "measured time (units of tau)", "running lambda_max (1/tau)", title)
