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

__all__ = [
    "check_int",
    "check_float",
    "check_finite_array",
    "check_choice",
    "check_images",
    "fail",
    "Constraint",
    "Interval",
    "Options",
    "Boolean",
    "NonEmptyString",
    "OptionalOf",
    "ListOf",
    "Validated",
    "check_device",
    "check_fields",
    "dtype_name",
    "DtypeName",
    "DeviceName",
    "in_tau",
]


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


def check_images(value, name: str = "x_train", *, where: str | None = None) -> np.ndarray:
    """Return ``value`` as a finite, non-empty (n, D) float64 array of encoded pixels in [-1, 1].

    >>> check_images([[0.5, -1.0]]).shape
    (1, 2)
    """
    x = check_finite_array(value, name, shape=(None, None), where=where)
    if x.shape[0] == 0:
        fail(name, "a non-empty (n, D) array of images", "array with 0 rows", where)
    if x.min() < -1 or x.max() > 1:
        fail(name, "in [-1, 1] (encoded pixels)", f"range [{x.min():g}, {x.max():g}]", where)
    return x


def check_choice(value, name: str, choices, *, where: str | None = None):
    """Check that ``value`` is one of ``choices``.

    >>> check_choice("euler", "method", ("euler", "rk4"))
    'euler'
    """
    if value not in choices:
        fail(name, "one of " + ", ".join(repr(c) for c in choices), value, where)
    return value


# --------------------------------------------------------------------------- declared constraints
# scikit-learn style: each config dataclass declares a table ``{field: constraint}`` once
# (``_constraints``); :func:`check_fields` checks it at construction, and one generated test
# (tests/test_constraints.py) feeds every field a value its constraint refuses.


class Constraint:
    """A declared constraint on one value: ``check`` returns the value (converted) or raises ConfigError."""

    def check(self, value, name: str, where: str | None = None):  # pragma: no cover - abstract
        raise NotImplementedError

    def invalid(self) -> object:  # pragma: no cover - abstract
        """A value this constraint refuses (for the generated test)."""
        raise NotImplementedError


class Interval(Constraint):
    """A number of type ``int`` or ``float`` in an interval; ``closed`` in {"both", "left", "right", "neither"}.

    >>> Interval(float, 0, 1, closed="neither").check(0.5, "dt")
    0.5
    >>> Interval(int, 1).check(0, "N")
    Traceback (most recent call last):
    ...
    neurochaos.errors.ConfigError: `N` must be an integer >= 1, got 0
    """

    def __init__(self, kind, low=None, high=None, *, closed: str = "both"):
        if kind not in (int, float) or closed not in ("both", "left", "right", "neither"):
            raise TypeError(f"Interval(kind in (int, float), closed in both/left/right/neither), got {kind}, {closed}")
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    def check(self, value, name, where=None):
        if self.kind is int:
            if self.high is not None or self.closed not in ("both", "left"):  # pragma: no cover - not used
                raise TypeError("integer intervals are [low, inf)")
            return check_int(value, name, min_value=self.low, where=where)
        return check_float(
            value,
            name,
            low=self.low,
            high=self.high,
            low_open=self.closed in ("right", "neither"),
            high_open=self.closed in ("left", "neither"),
            where=where,
        )

    def invalid(self):
        if self.low is not None:
            return self.low - 1
        return float("nan") if self.kind is float else 1.5


class Options(Constraint):
    """One of a set of values; ``choices`` may be a callable (evaluated when checking: e.g. the registry)."""

    def __init__(self, choices):
        self.choices = choices

    def check(self, value, name, where=None):
        choices = tuple(self.choices() if callable(self.choices) else self.choices)
        return check_choice(value, name, choices, where=where)

    def invalid(self):
        return "__not_an_option__"


class Boolean(Constraint):
    """``True`` or ``False`` (not 0/1, not a string)."""

    def check(self, value, name, where=None):
        if not isinstance(value, bool):
            fail(name, "true or false", value, where)
        return value

    def invalid(self):
        return "yes"


class NonEmptyString(Constraint):
    def check(self, value, name, where=None):
        if not isinstance(value, str) or not value:
            fail(name, "a non-empty string", value, where)
        return value

    def invalid(self):
        return ""


class ListOf(Constraint):
    """A non-empty list (or tuple) whose items meet ``inner``; stored as a tuple.

    >>> ListOf(Interval(int, 1)).check([2, 3], "sizes")
    (2, 3)
    """

    def __init__(self, inner: Constraint):
        self.inner = inner

    def check(self, value, name, where=None):
        if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
            fail(name, "a non-empty list", value, where)
        return tuple(self.inner.check(v, name, where) for v in value)

    def invalid(self):
        return []


class OptionalOf(Constraint):
    """None, or a value meeting ``inner`` (None means "the card's default")."""

    def __init__(self, inner: Constraint):
        self.inner = inner

    def check(self, value, name, where=None):
        return None if value is None else self.inner.check(value, name, where)

    def invalid(self):
        return self.inner.invalid()


def check_fields(obj, where: str | None = None) -> None:
    """Check every field of the frozen dataclass ``obj`` against its class's ``_constraints`` table.

    Converted values (e.g. an int given for a float field) are stored back.
    Messages name the field as ``<_section>.<field>`` (the class's ``_section``, e.g.
    "training"), or ``<field>`` for classes without one.
    """
    prefix = getattr(type(obj), "_section", "")
    for field_name, constraint in type(obj)._constraints.items():
        name = f"{prefix}.{field_name}" if prefix else field_name
        value = constraint.check(getattr(obj, field_name), name, where)
        object.__setattr__(obj, field_name, value)


class Validated:
    """Base of the frozen config dataclasses: fields are checked against ``_constraints`` on creation.

    A subclass declares ``_section`` (the config table, e.g. "training") and
    ``_constraints`` ({field: Constraint}); rules between fields go in its own
    ``__post_init__``, after ``super().__post_init__()``.
    """

    _section = ""
    _constraints: dict = {}

    def __post_init__(self):
        check_fields(self)


def check_device(device, name: str = "device"):
    """The ``torch.device`` of ``device`` (a string such as "cpu", "cuda:1", or a torch.device).

    Raises ConfigError for a name torch does not know, ExecutorUnavailableError
    for a CUDA device on a machine where torch sees none.
    """
    import torch

    from .errors import ExecutorUnavailableError

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        fail(name, "a torch device such as 'cpu', 'cuda' or 'cuda:0'", device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ExecutorUnavailableError(
            f"`{name}` {str(device)!r} needs CUDA, but torch {torch.__version__} sees no CUDA device here; use 'cpu'"
        )
    return dev


def dtype_name(value):
    """The name of a float type given as text, a numpy type or a torch dtype; anything else unchanged.

    >>> import numpy as np
    >>> dtype_name("float32"), dtype_name(np.float32), dtype_name(np.dtype("float64"))
    ('float32', 'float32', 'float64')
    """
    if isinstance(value, str):
        return value
    text = str(value)
    if text.startswith("torch."):  # torch.float32 -> "float32", without importing torch
        return text[len("torch.") :]
    try:
        return np.dtype(value).name
    except TypeError:
        return value


class DtypeName(Options):
    """One of the float type names; numpy types and torch dtypes are converted to their names first."""

    def check(self, value, name, where=None):
        return super().check(dtype_name(value), name, where)


class DeviceName(NonEmptyString):
    """A device name; a ``torch.device`` is converted to its string ("cuda:0")."""

    def check(self, value, name, where=None):
        if type(value).__module__ == "torch" and type(value).__name__ == "device":
            value = str(value)
        return super().check(value, name, where)


def in_tau(value, name: str, tau_ms: float):
    """A time in units of tau: numbers are kept; a Brian2 time quantity is divided by tau.

    ``tau_ms`` is the network's time constant in ms. A Brian2 quantity of another
    dimension is refused with the one message shape.
    """
    if not hasattr(value, "dim") or not type(value).__module__.startswith("brian2"):
        return value
    import sys

    b2 = sys.modules["brian2"]  # the caller made a Brian2 quantity, so Brian2 is imported
    if b2.get_dimensions(value) != b2.second.dim:
        fail(name, f"a time: a number in units of tau (tau = {tau_ms:g} ms) or a Brian2 time such as 100*ms", value)
    return float(value / (tau_ms * b2.ms))
