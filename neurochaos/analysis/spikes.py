"""Spike-train diagnostics: rates, irregularity, filtered rates, overlaps, divergence.

Every function takes one chain's spikes as two arrays: ``spike_i`` (K,) the
neuron index 0..N-1 and ``spike_t_ms`` (K,) the spike time in ms
(``SpikeTrace.chain(m)`` returns them). Times are in ms, rates in Hz.
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from ..validation import check_finite_array, check_float, check_int, fail
from .stats import lagged_products

__all__ = [
    "firing_rates",
    "cv_isi",
    "fano_factor",
    "population_rate",
    "population_rate_autocorrelation",
    "filtered_rates",
    "rate_autocorrelation_time",
    "activity",
    "pattern_overlaps",
    "spike_divergence",
]


def _spikes(spike_i, spike_t_ms, N):
    N = check_int(N, "N", min_value=1)
    i = np.asarray(spike_i, dtype=np.int64)
    t = check_finite_array(spike_t_ms, "spike_t_ms", shape=(len(i),))
    if len(i) and (i.min() < 0 or i.max() >= N):
        fail("spike_i", f"indices in [0, {N})", (int(i.min()), int(i.max())))
    return i, t, N


def _window(t_start_ms, t_stop_ms):
    t0 = check_float(t_start_ms, "t_start_ms", low=0.0)
    t1 = check_float(t_stop_ms, "t_stop_ms", low=t0)
    if t1 <= t0:
        fail("t_stop_ms", f"> t_start_ms = {t0}", t1)
    return t0, t1


def firing_rates(spike_i, spike_t_ms, N: int, t_stop_ms: float, t_start_ms: float = 0.0) -> np.ndarray:
    """Mean rate of each neuron in [t_start, t_stop), shape (N,), Hz.

    >>> firing_rates([0, 0, 1], [10.0, 20.0, 30.0], 2, t_stop_ms=1000.0).tolist()
    [2.0, 1.0]
    """
    i, t, N = _spikes(spike_i, spike_t_ms, N)
    t0, t1 = _window(t_start_ms, t_stop_ms)
    sel = (t >= t0) & (t < t1)
    return np.bincount(i[sel], minlength=N) / ((t1 - t0) * 1e-3)


def cv_isi(spike_i, spike_t_ms, N: int, min_spikes: int = 3) -> np.ndarray:
    """Coefficient of variation of inter-spike intervals per neuron, shape (N,) (NaN below ``min_spikes``).

    >>> cv_isi([0, 0, 0, 0], [0.0, 10.0, 20.0, 30.0], 1).tolist()
    [0.0]
    """
    i, t, N = _spikes(spike_i, spike_t_ms, N)
    out = np.full(N, np.nan)
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    bounds = np.searchsorted(i, np.arange(N + 1))
    for n in range(N):
        ts = t[bounds[n] : bounds[n + 1]]
        if len(ts) >= min_spikes:
            isi = np.diff(ts)
            out[n] = isi.std() / isi.mean() if isi.mean() > 0 else np.nan
    return out


def fano_factor(
    spike_i, spike_t_ms, N: int, t_stop_ms: float, window_ms: float = 100.0, t_start_ms: float = 0.0
) -> np.ndarray:
    """Fano factor (variance / mean) of spike counts in consecutive windows, shape (N,) (NaN if silent).

    >>> float(fano_factor([0, 0], [5.0, 15.0], 1, t_stop_ms=20.0, window_ms=10.0)[0])
    0.0
    """
    i, t, N = _spikes(spike_i, spike_t_ms, N)
    t0, t1 = _window(t_start_ms, t_stop_ms)
    window_ms = check_float(window_ms, "window_ms", low=0.0, low_open=True)
    n_win = int((t1 - t0) // window_ms)
    if n_win < 2:
        fail("window_ms", f"<= half the window [{t0}, {t1}) ms (at least 2 windows)", window_ms)
    sel = (t >= t0) & (t < t0 + n_win * window_ms)
    counts = np.zeros((n_win, N))
    np.add.at(counts, (((t[sel] - t0) // window_ms).astype(int), i[sel]), 1)
    mean = counts.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, counts.var(axis=0) / np.where(mean > 0, mean, 1), np.nan)


def population_rate(
    spike_t_ms, N: int, t_stop_ms: float, bin_ms: float = 1.0, t_start_ms: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Population rate in bins: (bin starts (B,) ms, rate (B,) Hz per neuron).

    >>> t, r = population_rate([0.5, 0.7], 2, t_stop_ms=2.0, bin_ms=1.0)
    >>> r.tolist()
    [1000.0, 0.0]
    """
    t = check_finite_array(spike_t_ms, "spike_t_ms", shape=(None,))
    N = check_int(N, "N", min_value=1)
    t0, t1 = _window(t_start_ms, t_stop_ms)
    bin_ms = check_float(bin_ms, "bin_ms", low=0.0, low_open=True)
    edges = t0 + bin_ms * np.arange(int(round((t1 - t0) / bin_ms)) + 1)
    counts, _ = np.histogram(t, bins=edges)
    return edges[:-1], counts / (N * bin_ms * 1e-3)


def _autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Normalised autocorrelation of columns of x (T, ...) averaged over columns, lags 0..max_lag."""
    x = x - x.mean(axis=0)
    var = (x**2).sum(axis=0)
    keep = var > 0
    if not keep.any():
        return np.full(max_lag + 1, np.nan)
    ac = lagged_products(x[:, keep], max_lag + 1, per_column=True) / var[keep]  # biased, C(0) = 1 per column
    return ac.mean(axis=1)


def population_rate_autocorrelation(
    spike_t_ms, N: int, t_stop_ms: float, bin_ms: float = 1.0, max_lag_ms: float = 200.0, t_start_ms: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Autocorrelation of the population rate: (lags (L,) ms, C (L,), C(0) = 1)."""
    _, r = population_rate(spike_t_ms, N, t_stop_ms, bin_ms, t_start_ms)
    max_lag = min(int(max_lag_ms / bin_ms), len(r) - 1)
    return np.arange(max_lag + 1) * bin_ms, _autocorrelation(r[:, None], max_lag)


def filtered_rates(
    spike_i, spike_t_ms, N: int, t_stop_ms: float, tau_f_ms: float, dt_ms: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Exponentially filtered spike trains r_i(t) = sum_k exp(-(t - t_k) / tau_f) / tau_f.

    Spikes are put on the grid ``n dt`` (the simulation's step keeps them exact).

    Returns
    -------
    t_ms : ndarray (T,), the grid 0, dt, ..., < t_stop
    r : ndarray (T, N), Hz; r at t includes the spikes at times <= t

    >>> t, r = filtered_rates([0], [1.0], 1, t_stop_ms=3.0, tau_f_ms=1.0, dt_ms=1.0)
    >>> np.round(r[:, 0], 1).tolist()
    [0.0, 1000.0, 367.9]
    """
    i, t, N = _spikes(spike_i, spike_t_ms, N)
    t_stop_ms = check_float(t_stop_ms, "t_stop_ms", low=0.0, low_open=True)
    tau_f_ms = check_float(tau_f_ms, "tau_f_ms", low=0.0, low_open=True)
    dt_ms = check_float(dt_ms, "dt_ms", low=0.0, low_open=True)
    T = int(np.ceil(t_stop_ms / dt_ms - 1e-9))
    k = np.round(t / dt_ms).astype(np.int64)
    sel = (k >= 0) & (k < T)
    counts = np.zeros((T, N))
    np.add.at(counts, (k[sel], i[sel]), 1.0)
    r = scipy.signal.lfilter([1e3 / tau_f_ms], [1.0, -np.exp(-dt_ms / tau_f_ms)], counts, axis=0)
    return np.arange(T) * dt_ms, r


def rate_autocorrelation_time(rates: np.ndarray, dt_ms: float, max_lag_ms: float = 500.0) -> tuple[float, np.ndarray]:
    """Decay time of the single-neuron rate autocorrelation (averaged over neurons).

    Parameters
    ----------
    rates : ndarray (T, N), filtered rates (Hz) on a grid of step ``dt_ms``

    Returns
    -------
    tau_ac_ms : float, first lag where the mean normalised autocorrelation drops below 1/e (NaN if never)
    C : ndarray (L,), the autocorrelation at lags 0, dt, ...
    """
    rates = check_finite_array(rates, "rates", shape=(None, None))
    dt_ms = check_float(dt_ms, "dt_ms", low=0.0, low_open=True)
    max_lag = min(int(max_lag_ms / dt_ms), rates.shape[0] - 1)
    C = _autocorrelation(rates, max_lag)
    below = np.nonzero(C < np.exp(-1))[0]
    return (float(below[0] * dt_ms) if len(below) else float("nan")), C


def activity(rates_hz: np.ndarray, r_max_hz: float) -> np.ndarray:
    """Map rates to [-1, 1]: s = clip(2 r / r_max - 1, -1, 1) (same shape).

    >>> activity(np.array([0.0, 25.0, 100.0]), 50.0).tolist()
    [-1.0, 0.0, 1.0]
    """
    r_max_hz = check_float(r_max_hz, "r_max_hz", low=0.0, low_open=True)
    return np.clip(2.0 * np.asarray(rates_hz, dtype=float) / r_max_hz - 1.0, -1.0, 1.0)


def pattern_overlaps(rates_hz: np.ndarray, patterns: np.ndarray, r_max_hz: float | None = None) -> np.ndarray:
    """Overlaps m_mu(t) = (1/N) sum_i xi_i^mu (s_i(t) - mean_j s_j(t)) with the stored patterns.

    s = :func:`activity` of the filtered rates (``r_max_hz`` default: twice the mean rate),
    so the uniform part of the activity does not count; m is in [-1, 1].

    Parameters
    ----------
    rates_hz : ndarray (T, N) (or (N,)), filtered rates
    patterns : ndarray (P, N), entries +-1

    Returns
    -------
    ndarray (T, P) (or (P,))

    >>> xi = np.array([[1.0, -1.0, 1.0, -1.0]])
    >>> pattern_overlaps(np.array([20.0, 0.0, 20.0, 0.0]), xi, r_max_hz=20.0).tolist()
    [1.0]
    """
    r = np.asarray(rates_hz, dtype=float)
    xi = check_finite_array(patterns, "patterns", shape=(None, r.shape[-1]))
    if r_max_hz is None:
        r_max_hz = max(2.0 * float(r.mean()), 1e-12)
    s = activity(r, r_max_hz)
    s = s - s.mean(axis=-1, keepdims=True)
    return s @ xi.T / r.shape[-1]


def spike_divergence(
    spikes_a: tuple, spikes_b: tuple, N: int, t_stop_ms: float, tau_f_ms: float = 50.0, dt_ms: float = 0.1
) -> dict:
    """How far two runs of the same network drift apart.

    ``spikes_a`` and ``spikes_b`` are ``(spike_i, spike_t_ms)`` of one chain each.
    The distance at time t compares the filtered rates r_a, r_b (kernel tau_f):
    ``d(t) = mean_i (r_a - r_b)^2 / (var_i r_a + var_i r_b)``: 0 for identical
    spike trains, about 1 for independent ones with the same statistics.

    Returns
    -------
    dict with ``t_ms`` (T,), ``distance`` (T,), ``first_difference_ms`` (time of the first
    spike present in one run and not the other, inf if none), ``final_distance`` (mean of d
    over the last 20% of the run) and ``n_spikes`` (a, b).
    """
    ia, ta = spikes_a
    ib, tb = spikes_b
    t, ra = filtered_rates(ia, ta, N, t_stop_ms, tau_f_ms, dt_ms)
    _, rb = filtered_rates(ib, tb, N, t_stop_ms, tau_f_ms, dt_ms)
    denom = ra.var(axis=1) + rb.var(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(denom > 0, ((ra - rb) ** 2).mean(axis=1) / np.where(denom > 0, denom, 1), 0.0)
    ka = set(zip(np.asarray(ia).tolist(), np.round(np.asarray(ta) / dt_ms).astype(int).tolist()))
    kb = set(zip(np.asarray(ib).tolist(), np.round(np.asarray(tb) / dt_ms).astype(int).tolist()))
    diff = ka ^ kb
    first = min(k for _, k in diff) * dt_ms if diff else float("inf")
    tail = d[int(0.8 * len(d)) :]
    return {
        "t_ms": t,
        "distance": d,
        "first_difference_ms": float(first),
        "final_distance": float(tail.mean()) if len(tail) else float("nan"),
        "n_spikes": (len(ia), len(ib)),
    }
