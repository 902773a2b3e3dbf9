"""Statistics of simulated trajectories: autocorrelation (to compare with DMFT) and dimension."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..validation import check_float, check_int, fail

__all__ = ["Autocorrelation", "estimate_autocorrelation", "measure_autocorrelation", "participation_ratio"]


@dataclass(frozen=True, eq=False)
class Autocorrelation:
    """Time-averaged, unit-averaged autocorrelation of a simulated trajectory.

    Attributes
    ----------
    delta0 : Delta(0) = <x_i(t)^2>
    s : ndarray, shape (n_lags,), lags in units of tau
    delta : ndarray, shape (n_lags,), Delta(s) = <x_i(t) x_i(t+s)> (units and chains averaged)
    participation_ratio : PR dimension of the covariance of tanh(x), or None
    settings : how it was estimated (transient, window, N, g, seed ...)
    """

    delta0: float
    s: np.ndarray
    delta: np.ndarray
    participation_ratio: float | None = None
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "delta0": self.delta0,
            "s": self.s.tolist(),
            "delta": self.delta.tolist(),
            "participation_ratio": self.participation_ratio,
            "settings": dict(self.settings),
        }


def lagged_products(x: np.ndarray, n_lags: int, *, per_column: bool = False) -> np.ndarray:
    """``S(l) = sum_t x(t) x(t + l)`` for l = 0 .. n_lags - 1, by FFT (the one autocorrelation core).

    Parameters
    ----------
    x : ndarray (T, C): time first, C columns (units, chains x units, neurons)
    n_lags : number of lags L (<= T)
    per_column : return (L, C) sums per column instead of their mean over columns (L,)

    >>> lagged_products(np.array([[1.0], [2.0], [3.0]]), 2).tolist()
    [14.0, 8.0]
    """
    n = x.shape[0]
    nfft = 1 << int(np.ceil(np.log2(2 * n)))
    power = np.abs(np.fft.rfft(x, n=nfft, axis=0)) ** 2
    if per_column:
        return np.fft.irfft(power, n=nfft, axis=0)[:n_lags]
    return np.fft.irfft(power.mean(axis=1), n=nfft)[:n_lags]


def _check_max_lag(max_lag, window: float) -> float:
    """Return ``max_lag`` as a float in [0, window]; a lag beyond the measured window is refused, not clipped.

    >>> _check_max_lag(5, 10.0)
    5.0
    >>> _check_max_lag(12.0, 10.0)
    Traceback (most recent call last):
    ...
    neurochaos.errors.ConfigError: `max_lag` must be <= the measured window T = 10 tau, got 12.0
    """
    max_lag = check_float(max_lag, "max_lag", low=0.0)
    if max_lag > window * (1 + 1e-9):
        fail("max_lag", f"<= the measured window T = {window:g} tau", max_lag)
    return max_lag


def estimate_autocorrelation(
    x, dt: float, *, transient: float = 0.0, max_lag: float | None = None, subtract_mean: bool = False
) -> Autocorrelation:
    """Unbiased FFT estimate of ``Delta(s) = < x_i(t) x_i(t+s) >_{t, i}``.

    Parameters
    ----------
    x : ndarray, shape (T, N) or (T, M, N): time, (chains,) units
    dt : time between samples, units of tau
    transient : initial duration discarded, units of tau
    max_lag : largest lag returned, units of tau, at most the window after the transient
        (default: a quarter of the window)
    subtract_mean : remove each unit's time average first (autocovariance)

    Returns
    -------
    Autocorrelation with lags ``s = 0, dt, ..., max_lag``

    >>> t = np.arange(4000) * 0.05
    >>> ac = estimate_autocorrelation(np.sin(t)[:, None] * np.sqrt(2), 0.05, max_lag=3.0)
    >>> round(ac.delta0, 2), bool(abs(ac.delta[np.argmin(abs(ac.s - np.pi / 2))]) < 0.05)
    (1.0, True)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim not in (2, 3):
        fail("x", "an array of shape (T, N) or (T, M, N)", f"array of shape {x.shape}")
    dt = check_float(dt, "dt", low=0.0, low_open=True)
    transient = check_float(transient, "transient", low=0.0)
    x = x.reshape(x.shape[0], -1)
    x = x[int(round(transient / dt)) :]
    n = x.shape[0]
    if n < 2:
        fail("transient", f"shorter than the trajectory ({n} samples left)", transient)
    if not np.all(np.isfinite(x)):
        fail("x", "finite", "array with NaN or inf")
    if subtract_mean:
        x = x - x.mean(axis=0)
    max_lag = (n - 1) * dt / 4 if max_lag is None else _check_max_lag(max_lag, n * dt)
    L = min(int(round(max_lag / dt)), n - 1) + 1  # the grid's last lag: (n - 1) dt for max_lag = n dt
    acf = lagged_products(x, L) / (n - np.arange(L))  # unbiased: each lag over its n - l products
    return Autocorrelation(
        delta0=float(acf[0]),
        s=np.arange(L) * dt,
        delta=acf,
        settings={
            "dt": dt,
            "transient": transient,
            "window": n * dt,
            "max_lag": (L - 1) * dt,
            "subtract_mean": subtract_mean,
        },
    )


def participation_ratio(r) -> float:
    """Participation-ratio dimension ``(tr C)^2 / tr(C^2)`` of the sample covariance C.

    Parameters
    ----------
    r : ndarray, shape (T, N) or (T, M, N); samples over time (and chains) of
        N variables, e.g. the rates tanh(x)

    >>> rng = np.random.default_rng(0)
    >>> round(participation_ratio(rng.normal(size=(20000, 3)) * [1, 1, 0]), 1)
    2.0
    """
    r = np.asarray(r, dtype=np.float64)
    if r.ndim == 3:
        r = r.reshape(-1, r.shape[2])
    if r.ndim != 2 or r.shape[0] < 2:
        fail("r", "an array of shape (T, N) with T >= 2", f"array of shape {r.shape}")
    xc = r - r.mean(axis=0)
    gram = xc @ xc.T if xc.shape[0] < xc.shape[1] else xc.T @ xc  # same nonzero spectrum as the covariance
    tr = np.trace(gram)
    if tr == 0:
        return 0.0
    return float(tr**2 / np.sum(gram * gram))


def measure_autocorrelation(
    model: str = "chaotic_rate",
    *,
    N: int = 3000,
    g: float = 2.0,
    T: float = 300.0,
    transient: float = 50.0,
    dt: float | None = None,
    method: str | None = None,
    max_lag: float = 20.0,
    chains: int = 1,
    seed: int = 0,
    P: int | None = None,
    device: str = "cpu",
    dtype: str = "float64",
    progress: bool = False,
) -> Autocorrelation:
    """Simulate a card and estimate Delta(s) and the participation ratio of tanh(x).

    Parameters
    ----------
    model : card name or .toml path (any rate card)
    N, g, P, seed : network size, gain, patterns, seed (weights from ``seed``, x(0) from ``seed + 1``)
    T : averaging window after the transient, units of tau
    transient : discarded initial duration, units of tau
    dt, method : integration step and method (default: the card's)
    max_lag : largest lag, units of tau, at most ``T`` (checked before simulating)
    chains : independent initial conditions averaged together

    >>> ac = measure_autocorrelation(N=50, g=0.5, T=10.0, transient=20.0, max_lag=2.0)
    >>> ac.delta0 < 1e-3
    True
    """
    from ..simulate import simulate

    T = check_float(T, "T", low=0.0, low_open=True)
    transient = check_float(transient, "transient", low=0.0)
    max_lag = _check_max_lag(max_lag, T)  # before simulating
    tr = simulate(
        model,
        N=N,
        g=g,
        P=P,
        T=T + transient,
        dt=dt,
        method=method,
        chains=chains,
        seed=seed,
        dtype=dtype,
        device=device,
        progress=progress,
    )
    step = tr.meta["dt"]
    ac = estimate_autocorrelation(tr.x, step, transient=transient, max_lag=max_lag)
    pr = participation_ratio(np.tanh(tr.x[int(round(transient / step)) :]))
    settings = {
        **ac.settings,
        "model": tr.meta["model"],
        "N": tr.meta["N"],
        "g": g,
        "T": T,
        "seed": seed,
        "chains": check_int(chains, "chains", min_value=1),
        "method": tr.meta["method"],
    }
    return Autocorrelation(ac.delta0, ac.s, ac.delta, pr, settings)
