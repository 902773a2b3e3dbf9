"""Memory analysis of structured (Hopfield-like) rate networks.

Overlaps with stored patterns, activity orthogonal to them, the currently
closest memory, switches between memories, memories visited per gain cycle,
settling time after the gain drops, decorrelation time.

Conventions
-----------
- Rates are ``r = tanh(x)``; overlaps ``m_mu = (1/N) xi_mu . r`` lie in [-1, 1].
- A pattern and its negative are **the same memory**: with ``b = 0`` and an odd
  ``tanh`` the dynamics are symmetric under ``x -> -x``, so ``+xi_mu`` and
  ``-xi_mu`` are attractors of equal standing. A memory is labelled by its
  index ``mu`` (0-based); its sign is reported separately.
- The state is "between memories" (label ``-1``) when no ``|m_mu|`` reaches
  ``threshold`` (default 0.5).
- A *switch* is a change of label from one memory to another; visits to the
  "between" state are skipped, so ``a -> -1 -> a`` is not a switch and
  ``a -> -1 -> b`` is one.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg

from ..validation import check_finite_array, check_float, fail
from .stats import estimate_autocorrelation

__all__ = [
    "compute_overlaps",
    "compute_orthogonal_activity",
    "project_orthogonal",
    "identify_memory",
    "count_switches",
    "count_memories_per_cycle",
    "memory_at_times",
    "measure_settling_time",
    "measure_decorrelation_time",
    "measure_motion",
]


def _patterns(patterns, N: int | None = None) -> np.ndarray:
    xi = check_finite_array(patterns, "patterns", shape=(None, N) if N is not None else (None, None))
    P, n = xi.shape
    if P < 1:
        fail("patterns", "at least one pattern", f"array of shape {xi.shape}")
    if P >= n:
        fail("P", f"< N = {n} (pattern count must be below the network size)", P)
    return xi


def _rates(x, N: int | None = None) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 1 or (N is not None and x.shape[-1] != N):
        fail("x", f"an array whose last axis has N = {N} units", f"array of shape {x.shape}")
    return np.tanh(x)


def compute_overlaps(x, patterns) -> np.ndarray:
    """Overlaps ``m_mu(t) = (1/N) xi_mu . tanh(x(t))``.

    Parameters
    ----------
    x : ndarray, shape (..., N), e.g. (T, M, N): time, chains, units; the state x (not the rate)
    patterns : ndarray, shape (P, N), entries usually +-1

    Returns
    -------
    ndarray, shape (..., P), e.g. (T, M, P); dimensionless, in [-1, 1] for +-1 patterns

    >>> xi = np.array([[1.0, 1, -1, -1], [1, -1, 1, -1]])
    >>> compute_overlaps(np.array([[[10.0, 10, -10, -10]]]), xi).round(3)
    array([[[1., 0.]]])
    """
    xi = _patterns(patterns)
    return _rates(x, xi.shape[1]) @ xi.T / xi.shape[1]


def _complement_basis(xi: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the complement of span(xi), shape (N - rank, N)."""
    return scipy.linalg.null_space(xi).T


def project_orthogonal(x, patterns) -> np.ndarray:
    """Coordinates of ``tanh(x)`` on an orthonormal basis of the complement of span(xi), over sqrt(N).

    The basis is ``scipy.linalg.null_space(patterns)`` (deterministic). With
    the 1/sqrt(N) scaling, the sum of squares over the last axis is
    :func:`compute_orthogonal_activity` squared.

    Parameters
    ----------
    x : ndarray, shape (..., N)
    patterns : ndarray, shape (P, N)

    Returns
    -------
    ndarray, shape (..., N - rank(patterns)); for 10 independent patterns and N = 200: 190 directions

    >>> project_orthogonal(np.zeros((3, 1, 5)), np.ones((1, 5))).shape
    (3, 1, 4)
    """
    xi = _patterns(patterns)
    N = xi.shape[1]
    return _rates(x, N) @ _complement_basis(xi).T / math.sqrt(N)


def compute_orthogonal_activity(x, patterns) -> np.ndarray:
    """Norm of ``tanh(x)`` projected on the complement of span(xi), per unit: ``|(I - Pi) r| / sqrt(N)``.

    ``x`` (..., N) and ``patterns`` (P, N) as in :func:`project_orthogonal`; returns
    an array of shape (...,), in [0, 1] (0: activity inside span(xi); ~|r| / sqrt(N) for random activity)

    >>> xi = np.array([[1.0, 1, -1, -1]])
    >>> float(compute_orthogonal_activity(np.array([5.0, 5, -5, -5]), xi)) < 1e-12
    True
    >>> round(float(compute_orthogonal_activity(np.array([5.0, -5, 5, -5]), xi)), 4)
    0.9999
    """
    xi = _patterns(patterns)
    N = xi.shape[1]
    r = _rates(x, N)
    q, _ = np.linalg.qr(xi.T)  # (N, rank) orthonormal basis of span(xi)
    resid = r - (r @ q) @ q.T
    return np.linalg.norm(resid, axis=-1) / math.sqrt(N)


def identify_memory(overlaps, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """The currently closest memory: ``argmax_mu |m_mu|`` when it reaches ``threshold``, else -1.

    Parameters
    ----------
    overlaps : ndarray, shape (..., P), e.g. (T, M, P)
    threshold : smallest ``|m|`` counted as being in a memory, in (0, 1]

    Returns
    -------
    label : ndarray of int, shape (...,); memory index 0..P-1, or -1 "between memories"
    sign : ndarray of int, shape (...,); +1 near +xi, -1 near -xi, 0 between memories

    >>> identify_memory(np.array([[0.1, -0.95], [0.3, 0.2]]))
    (array([ 1, -1]), array([-1,  0]))
    """
    m = check_finite_array(overlaps, "overlaps")
    if m.ndim < 1 or m.shape[-1] < 1:
        fail("overlaps", "an array of shape (..., P) with P >= 1", f"array of shape {m.shape}")
    threshold = check_float(threshold, "threshold", low=0.0, high=1.0, low_open=True)
    idx = np.abs(m).argmax(axis=-1)
    best = np.take_along_axis(m, idx[..., None], axis=-1)[..., 0]
    inside = np.abs(best) >= threshold
    return np.where(inside, idx, -1), np.where(inside, np.sign(best), 0).astype(int)


def _labels_2d(labels) -> np.ndarray:
    lab = np.asarray(labels)
    if lab.ndim == 1:
        lab = lab[:, None]
    if lab.ndim != 2 or not np.issubdtype(lab.dtype, np.integer):
        fail("labels", "an integer array of shape (T,) or (T, M)", f"{lab.dtype} array of shape {lab.shape}")
    return lab


def count_switches(labels) -> np.ndarray:
    """Number of switches from one memory to another, skipping "between" states (-1).

    Parameters
    ----------
    labels : ndarray of int, shape (T, M) or (T,), from :func:`identify_memory`

    Returns
    -------
    ndarray of int, shape (M,)

    >>> count_switches(np.array([0, 0, -1, 0, -1, 2, 2, 1]))
    array([2])
    """
    lab = _labels_2d(labels)
    out = np.zeros(lab.shape[1], dtype=int)
    for c in range(lab.shape[1]):
        seq = lab[lab[:, c] >= 0, c]
        out[c] = int(np.count_nonzero(np.diff(seq)))
    return out


def _cycle_index(t, period: float, start: float, name: str = "t"):
    t = check_finite_array(t, name, shape=(None,))
    period = check_float(period, "period", low=0.0, low_open=True)
    # a small tolerance so that records at exactly k * period open cycle k
    return np.floor((t - start) / period + 1e-9).astype(int)


def count_memories_per_cycle(labels, t, period: float, *, start: float = 0.0) -> np.ndarray:
    """Distinct memories visited in each gain cycle ``[start + k period, start + (k + 1) period)``.

    Parameters
    ----------
    labels : ndarray of int, shape (T, M) or (T,), from :func:`identify_memory`
    t : ndarray, shape (T,), times in units of tau
    period : cycle length in units of tau
    start : time of the first cycle's start

    Returns
    -------
    ndarray of int, shape (n_cycles, M); only complete cycles are counted

    >>> count_memories_per_cycle(np.array([0, -1, 1, 1, 1, 1]), np.arange(6.0), 3.0).ravel()
    array([2, 1])
    """
    lab = _labels_2d(labels)
    k = _cycle_index(t, period, start)
    if len(k) != lab.shape[0]:
        fail("t", f"of length {lab.shape[0]} (one time per label)", len(k))
    t = np.asarray(t, dtype=float)
    span_end = t[-1] + (t[1] - t[0] if len(t) > 1 else 0.0)  # each record covers one sampling interval
    n_cycles = int(np.floor((span_end - start) / period + 1e-9))
    if n_cycles < 1:
        fail("period", "at most the duration covered by `t` (one complete cycle)", period)
    out = np.zeros((n_cycles, lab.shape[1]), dtype=int)
    for j in range(n_cycles):
        block = lab[k == j]
        for c in range(lab.shape[1]):
            out[j, c] = len(np.unique(block[block[:, c] >= 0, c]))
    return out


def memory_at_times(labels, t, times) -> np.ndarray:
    """The label at the last record at or before each of ``times`` (e.g. the end of every low-gain phase).

    Parameters
    ----------
    labels : ndarray of int, shape (T, M) or (T,)
    t : ndarray, shape (T,), units of tau
    times : ndarray, shape (K,), units of tau

    Returns
    -------
    ndarray of int, shape (K, M)

    >>> memory_at_times(np.array([3, 3, -1, 4]), np.arange(4.0), [1.5, 3.0]).ravel()
    array([3, 4])
    """
    lab = _labels_2d(labels)
    t = check_finite_array(t, "t", shape=(lab.shape[0],))
    i = np.searchsorted(t, np.asarray(times, dtype=float) + 1e-9, side="right") - 1
    return lab[np.clip(i, 0, len(t) - 1)]


def measure_settling_time(overlaps, t, drop_times, *, until=None, threshold: float = 0.9) -> np.ndarray:
    """Time after each gain drop until the state enters a memory (``max |m| >= threshold``) and stays there.

    "Stays" means the same memory keeps ``|m| >= threshold`` until ``until[k]``
    (default: the next drop, or the end of the record).

    Parameters
    ----------
    overlaps : ndarray, shape (T, M, P)
    t : ndarray, shape (T,), units of tau
    drop_times : ndarray, shape (K,), times the gain drops, units of tau
    until : ndarray, shape (K,), end of each low phase (units of tau)
    threshold : overlap that counts as settled, in (0, 1]

    Returns
    -------
    ndarray, shape (K, M), units of tau; NaN where the state did not settle

    >>> m = np.zeros((6, 1, 2)); m[3:, 0, 1] = 0.95
    >>> measure_settling_time(m, np.arange(6.0), [1.0]).ravel()
    array([2.])
    """
    m = check_finite_array(overlaps, "overlaps", shape=(None, None, None))
    t = check_finite_array(t, "t", shape=(m.shape[0],))
    drops = np.atleast_1d(np.asarray(drop_times, dtype=float))
    ends = np.append(drops[1:], np.inf) if until is None else np.atleast_1d(np.asarray(until, dtype=float))
    if ends.shape != drops.shape:
        fail("until", f"of shape {drops.shape} like `drop_times`", ends.shape)
    label, _ = identify_memory(m, threshold)
    out = np.full((len(drops), m.shape[1]), np.nan)
    for k, (t0, t1) in enumerate(zip(drops, ends)):
        sel = np.flatnonzero((t >= t0 - 1e-9) & (t < t1 - 1e-9))
        if len(sel) == 0:
            continue
        for c in range(m.shape[1]):
            seq = label[sel, c]
            if seq[-1] < 0:
                continue
            bad = np.flatnonzero(seq != seq[-1])
            first = 0 if len(bad) == 0 else bad[-1] + 1
            out[k, c] = t[sel[first]] - t0
    return out


def measure_decorrelation_time(
    r, dt: float, *, level: float = math.exp(-1), subtract_mean: bool = True, transient: float = 0.0, max_lag=None
) -> float:
    """First lag at which the normalised autocorrelation falls below ``level`` (default 1/e).

    ``C(s) = sum_i <dr_i(t) dr_i(t + s)> / sum_i <dr_i(t)^2>`` (time, unit and
    chain averages; unbiased FFT estimate of
    :func:`neurochaos.analysis.stats.estimate_autocorrelation`), with ``dr = r -
    <r>_t`` when ``subtract_mean`` (fluctuations), else ``dr = r``. The
    crossing is linearly interpolated between lags.

    Parameters
    ----------
    r : ndarray, shape (T, N) or (T, M, N): e.g. rates tanh(x), or generated images (T, M, pixels)
    dt : time between samples, units of tau
    level : correlation level defining the time, in (0, 1)
    subtract_mean : remove each variable's time average first
    transient : initial duration discarded, units of tau
    max_lag : largest lag examined, units of tau (default: a quarter of the window)

    Returns
    -------
    float, units of tau; ``inf`` when C stays above ``level`` up to ``max_lag``

    >>> rng = np.random.default_rng(0)
    >>> ou = np.zeros(20000)
    >>> for n in range(1, 20000): ou[n] = ou[n - 1] * (1 - 0.01) + 0.1 * rng.normal()  # OU, time constant 1
    >>> 0.7 < measure_decorrelation_time(ou[:, None], 0.01, max_lag=5.0) < 1.3
    True
    """
    level = check_float(level, "level", low=0.0, high=1.0, low_open=True, high_open=True)
    ac = estimate_autocorrelation(r, dt, transient=transient, max_lag=max_lag, subtract_mean=subtract_mean)
    if ac.delta0 <= 0:
        return 0.0
    c = ac.delta / ac.delta0
    below = np.flatnonzero(c < level)
    if len(below) == 0:
        return math.inf
    j = int(below[0])
    if j == 0:
        return 0.0
    c0, c1 = c[j - 1], c[j]
    return float(ac.s[j - 1] + (c0 - level) / (c0 - c1) * (ac.s[j] - ac.s[j - 1]))


def measure_motion(x, t, *, start: float = 0.0) -> np.ndarray:
    """How much each chain still moves: RMS over units of the time-s.d. of ``tanh(x)`` after ``start``.

    ``motion_c = sqrt(mean_i var_t r_ic(t))`` over records with ``t >= start``, with
    ``r = tanh(x)``. A chain at a fixed point gives 0 (up to the residual of its
    approach); a chaotic chain gives a value of the order of its rate s.d. (0.5-0.9
    for the mixed card at g >= 5). Used to count starts "still moving" after a
    transient (``motion > 1e-3``, docs/gain_modulation.md).

    Parameters
    ----------
    x : ndarray, shape (T, M, N): states of M chains at T records
    t : ndarray, shape (T,): record times, units of tau
    start : first time included, units of tau (at least two records must remain)

    Returns
    -------
    ndarray, shape (M,): dimensionless, in [0, 1]

    >>> t = np.linspace(0.0, 10.0, 101)
    >>> x = np.stack([np.ones((101, 3)), np.sin(t)[:, None] * np.ones((101, 3))], axis=1)
    >>> measure_motion(x, t, start=5.0).round(2)
    array([0.  , 0.52])
    """
    x = check_finite_array(x, "x", shape=(None, None, None))
    t = check_finite_array(t, "t", shape=(x.shape[0],))
    start = check_float(start, "start")
    sel = t >= start
    if sel.sum() < 2:
        fail("start", f"a time leaving at least two records (last record at t = {t[-1]:g})", start)
    r = np.tanh(x[sel])
    return np.sqrt(r.var(axis=0).mean(axis=-1))
