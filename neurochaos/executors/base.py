"""The executor interface, the run configuration and the trace it returns.

An executor runs a :class:`~neurochaos.model.RateNetwork` for a fixed
duration. ``prepare`` does the expensive work once (code generation,
compilation, moving weights to a device); ``run`` may then be called many
times with new weights, gains, biases and initial states — the Brian2
standalone executors pass these through ``device.run(run_args=...)`` without
recompiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, DivergenceError
from ..validation import check_choice, check_float, check_int
from .integrators import BRIAN2_METHODS, METHODS

__all__ = ["RunConfig", "Trace", "Executor", "register", "get_executor", "executor_names", "run_inputs"]


@dataclass(frozen=True)
class RunConfig:
    """How long and how finely to integrate.

    Attributes
    ----------
    T : duration in units of tau (> 0)
    dt : integration step in units of tau, 0 < dt < 1
    record_every : record the state every this many steps (>= 1)
    method : integration method: "euler" or "exponential_euler" (Brian2 state updaters, every
        executor), "rk2", "heun" or "rk4" (explicit Runge-Kutta, torch engine; see
        :mod:`neurochaos.executors.integrators`)
    dtype : "float64" or "float32" (Brian2 executors support float64 only)
    device : torch device string for the torch engine ("cpu", "cuda", ...)
    """

    T: float
    dt: float = 0.1
    record_every: int = 1
    method: str = "euler"
    dtype: str = "float64"
    device: str = "cpu"

    def __post_init__(self):
        check_float(self.T, "T", low=0.0, low_open=True)
        check_float(self.dt, "dt", low=0.0, high=1.0, low_open=True, high_open=True)
        check_int(self.record_every, "record_every", min_value=1)
        check_choice(self.method, "method", METHODS)
        check_choice(self.dtype, "dtype", ("float64", "float32"))
        if self.T < self.dt:
            raise ConfigError(f"`T` must be >= dt = {self.dt}, got {self.T!r}")

    @property
    def n_steps(self) -> int:
        """Number of integration steps, round(T / dt)."""
        return int(round(self.T / self.dt))

    @property
    def n_records(self) -> int:
        return math.ceil(self.n_steps / self.record_every)


@dataclass
class Trace:
    """A simulated trajectory.

    Attributes
    ----------
    t : ndarray (n_records,), time in units of tau of each record
    x : ndarray (n_records, M, N), state at the *start* of each recorded step
        (as Brian2's StateMonitor records it): time first, then chains, then units
    x_final : ndarray (M, N), state after the last step
    executor : name of the executor that produced it
    meta : dict of run information (dt, method, seconds spent, ...)
    """

    t: np.ndarray
    x: np.ndarray
    x_final: np.ndarray
    executor: str
    meta: dict = field(default_factory=dict)

    def check_finite(self, variable: str = "x"):
        """Raise :class:`DivergenceError` naming the first non-finite step."""
        bad = ~np.isfinite(self.x)
        if bad.any():
            step = int(np.argmax(bad.reshape(bad.shape[0], -1).any(axis=1)))
            raise DivergenceError(
                f"`{variable}` became non-finite at record {step} (t = {self.t[step]:g} tau) on executor {self.executor}"
            )
        return self


class Executor:
    """Base class of executors (Brian2 style: one class per place to run).

    Subclasses set ``name`` and implement ``prepare``, ``run`` and ``close``.
    """

    name: str = "base"
    #: integration methods this executor runs at their nominal order (see :mod:`.integrators`)
    methods: tuple = BRIAN2_METHODS

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """(True, "") if this executor can run here, else (False, reason)."""
        return True, ""

    def supports(self, network) -> bool:
        return network.card.kind == "rate"

    def check_supported(self, network) -> None:
        """Raise ConfigError naming the card kind when this executor cannot run ``network``."""
        if not self.supports(network):
            kind = network.card.kind
            raise ConfigError(
                f"`model` {network.card.name!r} is a {kind} card, which executor {self.name!r} does not run; "
                f"use get_executor({self.name!r}, kind={kind!r})"
            )

    def prepare(self, network, config: RunConfig) -> None:
        raise NotImplementedError

    def run(self, x0, *, weights=None, gain=None, bias=None, variables=None) -> Trace:
        """Integrate from ``x0`` (M, N) for the prepared duration.

        ``weights`` (dict pathway -> (N, N)), ``gain`` (number or schedule) and
        ``bias`` ((N,)) override the network's for this run; ``variables`` sets
        the card's other constant neuron variables (dict name -> (N,) or (M, N)),
        e.g. a clamping mask and clamped rates.
        """
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_REGISTRY: dict[str, type] = {}
#: Executors of other card kinds, under the same names: (name, kind) -> class.
_KIND_REGISTRY: dict[tuple[str, str], type] = {}


def register(cls):
    """Class decorator adding an executor to the registry under ``cls.name``.

    Executors for another card kind set ``kind`` (e.g. ``"spiking"``) and are
    found with ``get_executor(name, kind=...)``.
    """
    kind = getattr(cls, "kind", "rate")
    if kind == "rate":
        _REGISTRY[cls.name] = cls
    _KIND_REGISTRY[(cls.name, kind)] = cls
    return cls


def executor_names() -> list[str]:
    """Names accepted by :func:`get_executor`."""
    import neurochaos.executors  # noqa: F401  (registers the built-in executors)

    return sorted(_REGISTRY)


def get_executor(name: str, *, kind: str = "rate", **options) -> Executor:
    """Instantiate an executor by name (``"torch"``, ``"brian2-runtime"``, ...).

    ``kind="spiking"`` gives the executor of that name for spiking cards.
    Raises ConfigError listing the valid names when ``name`` is unknown.
    """
    if kind != "rate":
        executor_names()
        valid = sorted(n for n, k in _KIND_REGISTRY if k == kind)
        if name not in valid:
            raise ConfigError(
                f"`backend` must be one of {', '.join(repr(n) for n in valid)} for {kind} cards, got {name!r}"
            )
        return _KIND_REGISTRY[(name, kind)](**options)
    names = executor_names()
    if name not in _REGISTRY:
        raise ConfigError(f"`backend` must be one of {', '.join(repr(n) for n in names)}, got {name!r}")
    return _REGISTRY[name](**options)


def extra_variables(card) -> tuple[str, ...]:
    """The card's settable constant neuron variables besides the state, rate, targets and b."""
    from ..model.card import parse_equations

    eqs = parse_equations(card.neuron, "equations.neuron", card.path or card.name)
    reserved = {card.state, card.rate, "b", *(p.target for p in card.pathways)}
    params = set(eqs.names) - set(eqs.diff_eq_names) - set(eqs.subexpr_names)
    return tuple(sorted(params - reserved))


def resolve_variables(network, M: int, variables) -> dict:
    """Validate ``variables`` and return every extra variable as an (M, N) float64 array (default 0)."""
    from ..validation import check_finite_array, fail

    names = extra_variables(network.card)
    variables = dict(variables or {})
    unknown = set(variables) - set(names)
    if unknown:
        fail(
            "variables",
            f"keys among {list(names)} (constant neuron variables of {network.card.name!r})",
            sorted(unknown),
        )
    out = {}
    for name in names:
        v = variables.get(name, 0.0)
        arr = np.asarray(v, dtype=float)
        shape = (network.N,) if arr.ndim <= 1 else (M, network.N)
        arr = check_finite_array(
            np.broadcast_to(arr, (network.N,)) if arr.ndim == 0 else arr, f"variables[{name!r}]", shape=shape
        )
        out[name] = np.broadcast_to(arr, (M, network.N)).copy()
    return out


def run_inputs(network, config: RunConfig, x0, weights=None, gain=None, bias=None):
    """Validate and resolve the per-run inputs shared by all executors.

    Returns
    -------
    x0 : ndarray (M, N) float64
    weights : dict name -> ndarray (N, N)
    gains : ndarray (n_steps + 1,), the gain sampled at t_n = n dt, n = 0..n_steps
    bias : ndarray (N,)
    """
    from ..model.schedule import GainSchedule, as_schedule
    from ..validation import check_finite_array, fail

    N = network.N
    x0 = check_finite_array(x0, "x0", shape=(None, N) if np.ndim(x0) == 2 else (N,))
    x0 = np.atleast_2d(x0)
    if weights is None:
        weights = network.weights
    else:
        unknown = set(weights) - set(network.weights)
        if unknown:
            fail("weights", f"keys among {sorted(network.weights)}", sorted(unknown))
        weights = {
            **network.weights,
            **{k: check_finite_array(v, f"weights[{k!r}]", shape=(N, N)) for k, v in weights.items()},
        }
    sched = network.gain if gain is None else as_schedule(gain) if not isinstance(gain, GainSchedule) else gain
    gains = sched.sample(config.n_steps + 1, config.dt)
    bias = network.bias if bias is None else check_finite_array(bias, "bias", shape=(N,))
    return x0, weights, gains, bias
