"""Gain schedules g(t): one object, accepted by every executor.

Times are in units of the model's time constant tau. A schedule is *sampled*
once per integration step (``sample``); the Brian2 executors turn the samples
into a ``TimedArray`` with the simulation's ``dt`` and the torch engine looks up
the same samples with the same indexing rule, so both see identical gains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..validation import check_finite_array, check_float, fail

__all__ = [
    "GainSchedule",
    "ConstantGain",
    "SquareGain",
    "SineGain",
    "PiecewiseLinearGain",
    "as_schedule",
    "constant_value",
]


class GainSchedule:
    """Base class: a non-negative gain as a function of time (units of tau)."""

    #: Last time (units of tau) at which the schedule is defined (inf: forever).
    duration: float = math.inf

    def values(self, t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Gain at times ``t`` (array, units of tau)."""
        raise NotImplementedError

    def sample(self, n_steps: int, dt: float) -> np.ndarray:
        """Gains at ``t_n = n * dt`` for ``n = 0 .. n_steps - 1`` (units of tau).

        Returns
        -------
        ndarray, shape (n_steps,), float64
        """
        t_end = (n_steps - 1) * dt
        if t_end > self.duration * (1 + 1e-12):
            fail(
                "gain schedule duration",
                f">= the run length {t_end:g} tau",
                self.duration,
                where=type(self).__name__,
            )
        out = np.asarray(self.values(np.arange(n_steps) * dt), dtype=np.float64)
        if np.any(out < 0) or not np.all(np.isfinite(out)):
            fail("gain", "finite and >= 0 at every step", float(out.min()), where=type(self).__name__)
        return out

    @property
    def constant_value(self) -> float | None:
        """The gain if it is the same at every time, else None (subclasses that can be constant override)."""
        return None

    @property
    def is_constant(self) -> bool:
        """Whether g(t) is the same at every time."""
        return self.constant_value is not None

    def to_dict(self) -> dict:
        """A JSON-able description (class name plus fields)."""
        d = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}
        return {"type": type(self).__name__, **d}


@dataclass(frozen=True)
class ConstantGain(GainSchedule):
    """g(t) = value.

    >>> ConstantGain(1.5).sample(3, 0.1)
    array([1.5, 1.5, 1.5])
    """

    value: float

    def __post_init__(self):
        object.__setattr__(self, "value", check_float(self.value, "g", low=0.0))

    def values(self, t):
        return np.full(np.shape(t), self.value)

    @property
    def constant_value(self) -> float:
        return float(self.value)


@dataclass(frozen=True)
class SquareGain(GainSchedule):
    """Square wave: ``high`` for the first ``duty`` fraction of each period, else ``low``.

    >>> SquareGain(low=1, high=8, period=2.0).sample(4, 0.5)
    array([8., 8., 1., 1.])
    """

    low: float
    high: float
    period: float  # units of tau
    duty: float = 0.5
    phase: float = 0.0  # units of tau, shifts the wave to later times

    def __post_init__(self):
        check_float(self.low, "g_low", low=0.0)
        check_float(self.high, "g_high", low=0.0)
        check_float(self.period, "period", low=0.0, low_open=True)
        check_float(self.duty, "duty", low=0.0, high=1.0)
        check_float(self.phase, "phase")

    def values(self, t):
        t = np.asarray(t, dtype=np.float64)
        x = (t - self.phase) / self.period
        # a time within rounding of a switching instant is that instant (0.3 / 0.1 = 2.9999999999999996
        # is the start of period 3, high; not the end of period 2): tolerance 1e-12 plus the rounding of x
        tol = 1e-12 + 8 * np.finfo(np.float64).eps * (np.abs(t) + abs(self.phase)) / self.period
        frac = x - np.floor(x)
        frac = np.where(frac >= 1.0 - tol, 0.0, frac)
        return np.where(frac < self.duty - tol, float(self.high), float(self.low))

    @property
    def constant_value(self) -> float | None:
        if self.low == self.high or self.duty == 0.0:
            return float(self.low)
        return float(self.high) if self.duty == 1.0 else None


@dataclass(frozen=True)
class SineGain(GainSchedule):
    """g(t) = mean + amplitude * sin(2 pi (t - phase) / period); must stay >= 0.

    >>> SineGain(mean=2, amplitude=1, period=4).sample(2, 1.0)
    array([2., 3.])
    """

    mean: float
    amplitude: float
    period: float
    phase: float = 0.0

    def __post_init__(self):
        check_float(self.mean, "mean", low=0.0)
        check_float(self.amplitude, "amplitude", low=0.0, high=self.mean)
        check_float(self.period, "period", low=0.0, low_open=True)
        check_float(self.phase, "phase")

    def values(self, t):
        return self.mean + self.amplitude * np.sin(2 * np.pi * (np.asarray(t) - self.phase) / self.period)

    @property
    def constant_value(self) -> float | None:
        return float(self.mean) if self.amplitude == 0 else None


@dataclass(frozen=True)
class PiecewiseLinearGain(GainSchedule):
    """Linear interpolation through (times, values); defined up to ``times[-1]``.

    >>> PiecewiseLinearGain(times=(0, 1), values=(1, 3)).sample(3, 0.5)
    array([1., 2., 3.])
    """

    times: tuple
    values_at: tuple = field(default=())
    duration: float = field(init=False)

    def __init__(self, times, values):
        t = check_finite_array(times, "times", shape=(None,))
        v = check_finite_array(values, "values", shape=(len(t),))
        if len(t) < 2:
            fail("times", "at least 2 points", len(t))
        if np.any(np.diff(t) <= 0):
            fail("times", "strictly increasing", t.tolist())
        if t[0] != 0:
            fail("times[0]", "0", float(t[0]))
        if np.any(v < 0):
            fail("values", "all >= 0", float(v.min()))
        object.__setattr__(self, "times", tuple(t.tolist()))
        object.__setattr__(self, "values_at", tuple(v.tolist()))
        object.__setattr__(self, "duration", float(t[-1]))

    def values(self, t):
        return np.interp(np.asarray(t, dtype=float), self.times, self.values_at)

    @property
    def constant_value(self) -> float | None:
        return float(self.values_at[0]) if len(set(self.values_at)) == 1 else None


GainLike = float | int | GainSchedule


def as_schedule(gain: GainLike) -> GainSchedule:
    """Turn a number into a :class:`ConstantGain`; pass schedules through."""
    if isinstance(gain, GainSchedule):
        return gain
    return ConstantGain(gain)


def constant_value(gains) -> float | None:
    """The gain if a sampled gain sequence is one value throughout, else None.

    The one answer to "is the gain constant over this run?" once a schedule has
    been sampled (a square wave may be constant within a short run).

    >>> constant_value([2.0, 2.0]), constant_value(np.array([1.0, 8.0]))
    (2.0, None)
    """
    g = np.asarray(gains, dtype=float).ravel()
    if g.size == 0:
        return None
    return float(g[0]) if np.all(g == g[0]) else None
