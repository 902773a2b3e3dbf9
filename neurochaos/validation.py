"""Argument checks with one message shape.

Every check raises :class:`~neurochaos.errors.ConfigError` (a ``ValueError``)
with the message ``"`<name>` must be <constraint>, got <value>"``, optionally
followed by ``" (<where>)"`` naming the file or object the value came from.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from .errors import ConfigError

__all__ = ["check_int", "check_float", "check_finite_array", "check_choice", "fail"]


def fail(name: str, constraint: str, value: object, where: str | None = None, cls=ConfigError):
    """Raise ``cls`` with the standard message shape."""
    suffix = f" ({where})" if where else ""
    raise cls(f"`{name}` must be {constraint}, got {value!r}{suffix}")


def check_int(value, name: str, *, min_value: int | None = None, where: str | None = None) -> int:
    """Return ``value`` as an int, checking it is an integer >= ``min_value``.

    >>> check_int(3, "N", min_value=1)
    3
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        fail(name, "an integer", value, where)
    if min_value is not None and value < min_value:
        fail(name, f"an integer >= {min_value}", value, where)
    return int(value)


def check_float(
    value,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    where: str | None = None,
) -> float:
    """Return ``value`` as a finite float inside the given interval.

    >>> check_float(0.1, "dt", low=0, high=1, low_open=True, high_open=True)
    0.1
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        fail(name, "a real number", value, where)
    value = float(value)
    if not math.isfinite(value):
        fail(name, "finite", value, where)
    lo = "-inf" if low is None else repr(float(low))
    hi = "inf" if high is None else repr(float(high))
    interval = f"in {'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
    if low is not None and (value < low or (low_open and value == low)):
        fail(name, interval, value, where)
    if high is not None and (value > high or (high_open and value == high)):
        fail(name, interval, value, where)
    return value


def check_finite_array(value, name: str, *, shape: tuple | None = None, where: str | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array, checking shape and finiteness.

    ``shape`` may contain ``None`` for a free dimension.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(name, "an array of real numbers", type(value).__name__, where)
    if shape is not None:
        ok = arr.ndim == len(shape) and all(s is None or s == a for s, a in zip(shape, arr.shape))
        if not ok:
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            fail(name, f"of shape {want}", f"array of shape {arr.shape}", where)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        fail(name, "finite (no NaN or inf)", f"array with {bad} non-finite entries", where)
    return arr


def check_choice(value, name: str, choices, *, where: str | None = None):
    """Check that ``value`` is one of ``choices``.

    >>> check_choice("euler", "method", ("euler", "rk4"))
    'euler'
    """
    if value not in choices:
        fail(name, "one of " + ", ".join(repr(c) for c in choices), value, where)
    return value
