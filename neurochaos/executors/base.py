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
from ..validation import DeviceName, DtypeName, Interval, Options, Validated
from .integrators import BRIAN2_METHODS, METHODS

#: Float precisions of a run (Brian2 executors: float64 only).
DTYPES = ("float64", "float32")

__all__ = [
    "RunConfig",
    "Trace",
    "RunInputs",
    "Executor",
    "register",
    "get_executor",
    "executor_names",
    "resolve_run_inputs",
]


@dataclass(frozen=True)
class RunConfig(Validated):
    """How long and how finely to integrate.

    Attributes
    ----------
    T : duration in units of tau (> 0)
    dt : integration step in units of tau, 0 < dt < 1
    record_every : record the state every this many steps (>= 1)
    method : integration method: "euler" or "exponential_euler" (Brian2 state updaters, every
        executor), "rk2", "heun" or "rk4" (explicit Runge-Kutta, torch engine; see
        :mod:`neurochaos.executors.integrators`)
    dtype : "float64" or "float32" (Brian2 executors support float64 only); numpy types and
        torch dtypes (``torch.float32``) are taken too and stored as their names
    device : torch device for the torch engine ("cpu", "cuda", ... or a ``torch.device``,
        stored as its string)
    """

    T: float
    dt: float = 0.1
    record_every: int = 1
    method: str = "euler"
    dtype: str = "float64"
    device: str = "cpu"

    _constraints = {
        "T": Interval(float, 0.0, closed="right"),
        "dt": Interval(float, 0.0, 1.0, closed="neither"),
        "record_every": Interval(int, 1),
        "method": Options(METHODS),
        "dtype": DtypeName(DTYPES),
        "device": DeviceName(),
    }

    def __post_init__(self):
        super().__post_init__()
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
        (as Brian2's StateMonitor records it): time first, then chains, then units;
        in the run's dtype (float32 runs return float32)
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


@dataclass(frozen=True)
class RunInputs:
    """One run's inputs, validated and resolved once (by :func:`resolve_run_inputs`) for every executor.

    Attributes
    ----------
    x0 : ndarray (M, N) float64, initial state (rate cards: x; spiking cards: v in mV)
    weights : dict pathway -> weight array of the network's shape ((N, N) dense for rate
        cards, (K,) sparse values in mV for spiking cards)
    gains : ndarray (n_steps + 1,), the gain at t_n = n dt, n = 0..n_steps
    bias : ndarray (M, N), the card's bias variable (``card.bias_variable``: b, or mu in mV)
    variables : dict name -> ndarray (M, N), every settable constant neuron variable
        (``card.settable_variables``; default 0)
    """

    x0: np.ndarray
    weights: dict
    gains: np.ndarray
    bias: np.ndarray
    variables: dict

    @property
    def M(self) -> int:
        """Number of chains."""
        return int(self.x0.shape[0])


def _per_chain(value, name: str, M: int, N: int) -> np.ndarray:
    """A number, an (N,) or an (M, N) array as a fresh (M, N) float64 array."""
    from ..validation import check_finite_array

    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full(N, float(arr))
    arr = check_finite_array(arr, name, shape=(N,) if arr.ndim == 1 else (M, N))
    return np.broadcast_to(arr, (M, N)).copy()


def resolve_run_inputs(network, config: RunConfig, x0, weights=None, gain=None, bias=None, variables=None) -> RunInputs:
    """Validate one run's inputs against ``network`` and ``config`` (the one resolver of every executor).

    ``x0`` is (N,) or (M, N); ``weights`` overrides some pathways (same shapes as
    ``network.weights``); ``gain`` a number or schedule (default: the network's);
    ``bias`` a number, (N,) or (M, N) (default: the network's); ``variables`` sets
    the card's settable constant neuron variables (numbers, (N,) or (M, N)).
    Raises ConfigError naming the first bad input.
    """
    from ..model.schedule import as_schedule
    from ..validation import check_finite_array, fail

    N = network.N
    x0 = np.atleast_2d(check_finite_array(x0, "x0", shape=(None, N) if np.ndim(x0) == 2 else (N,)))
    M = x0.shape[0]
    w = dict(network.weights)
    if weights:
        unknown = set(weights) - set(w)
        if unknown:
            fail("weights", f"keys among {sorted(w)}", sorted(unknown))
        for k, v in weights.items():
            w[k] = check_finite_array(v, f"weights[{k!r}]", shape=w[k].shape)
    sched = network.gain if gain is None else as_schedule(gain)
    gains = np.asarray(sched.sample(config.n_steps + 1, config.dt), dtype=float)
    b = _per_chain(network.bias if bias is None else bias, "bias", M, N)
    card = network.card
    names = card.settable_variables
    variables = dict(variables or {})
    unknown = set(variables) - set(names)
    if unknown:
        fail("variables", f"keys among {list(names)} (constant neuron variables of {card.name!r})", sorted(unknown))
    var = {n: _per_chain(variables.get(n, 0.0), f"variables[{n!r}]", M, N) for n in names}
    return RunInputs(x0, w, gains, b, var)


class Executor:
    """Base class of executors (Brian2 style: one class per place to run).

    Subclasses set ``name``, the card ``kinds`` they run and the integration
    ``methods``, and implement ``prepare`` (call :meth:`check_supported` first)
    and ``_run`` (one run from resolved :class:`RunInputs`); ``run`` is the
    template: check prepared -> resolve the inputs once -> ``_run``.
    """

    name: str = "base"
    #: card kinds this executor runs ("rate", "spiking"); prepare dispatches on network.card.kind
    kinds: tuple = ("rate",)
    #: integration methods this executor runs at their nominal order (see :mod:`.integrators`)
    methods: tuple = BRIAN2_METHODS
    network = None
    config = None

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """(True, "") if this executor can run here, else (False, reason)."""
        return True, ""

    def supports(self, network) -> bool:
        return network.card.kind in self.kinds

    def check_supported(self, network) -> None:
        """Raise ConfigError naming the card kind when this executor cannot run ``network``."""
        if not self.supports(network):
            kind = network.card.kind
            others = ", ".join(repr(n) for n in executor_names(kind=kind))
            raise ConfigError(
                f"`model` {network.card.name!r} is a {kind} card, which executor {self.name!r} does not run; "
                f"use one of {others}"
            )

    def prepare(self, network, config: RunConfig) -> None:
        raise NotImplementedError

    def run(self, x0, *, weights=None, gain=None, bias=None, variables=None) -> Trace:
        """Integrate from ``x0`` (M, N) for the prepared duration.

        ``weights`` (dict pathway -> array of the network's shape), ``gain``
        (number or schedule) and ``bias`` (number, (N,) or (M, N); spiking cards:
        the drive mu in mV) override the network's for this run; ``variables``
        sets the card's other constant neuron variables (dict name -> (N,) or
        (M, N)), e.g. a clamping mask and clamped rates. Spiking cards take
        ``x0`` as potentials in mV and return a ``SpikeTrace``.
        """
        if self.network is None:
            raise ConfigError("`prepare` must be called before `run`, got an unprepared executor")
        shape = np.shape(x0)
        self._check_memory(shape[0] if len(shape) == 2 else 1)
        inputs = resolve_run_inputs(self.network, self.config, x0, weights, gain, bias, variables)
        return self._run(inputs)

    def _check_memory(self, M: int) -> None:
        """Refuse (ResourceError) a run whose recorded trajectory and per-step gains exceed the free memory."""
        from ..resources import check_memory

        cfg, N = self.config, self.network.N
        itemsize = 4 if str(getattr(self, "dtype", "float64")).endswith("32") else 8
        check_memory(
            float(cfg.n_records) * M * N * itemsize + 16.0 * (cfg.n_steps + 1),
            f"the recorded trajectory ({cfg.n_records} records x {M} chains x {N} units) and the per-step gains",
            device=str(getattr(self, "device", "cpu")),
            hint="shorten T, raise record_every or use fewer chains",
        )

    def run_inputs(self, inputs: RunInputs) -> Trace:
        """Run from inputs already resolved by :func:`resolve_run_inputs` (or built to its contract).

        No checks: for loops that validated their arrays once at their boundary
        (the training loop). Shapes: as :class:`RunInputs`.
        """
        if self.network is None:
            raise ConfigError("`prepare` must be called before `run`, got an unprepared executor")
        return self._run(inputs)

    def _run(self, inputs: RunInputs) -> Trace:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_REGISTRY: dict[str, type] = {}


def register(cls):
    """Class decorator adding an executor to the registry under ``cls.name`` (one class per name)."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ConfigError(
            f"executor name {cls.name!r} is registered twice ({_REGISTRY[cls.name].__name__}, {cls.__name__})"
        )
    _REGISTRY[cls.name] = cls
    return cls


def executor_names(kind: str | None = None) -> list[str]:
    """Names accepted by :func:`get_executor` (only those running ``kind`` cards, if given)."""
    import neurochaos.executors  # noqa: F401  (registers the built-in executors)

    return sorted(n for n, c in _REGISTRY.items() if kind is None or kind in c.kinds)


def get_executor(name: str, *, kind: str | None = None, **options) -> Executor:
    """Instantiate an executor by name (``"torch"``, ``"brian2-runtime"``, ...).

    One class per name runs every card kind it declares (``kinds``); ``prepare``
    dispatches on the network's kind. ``kind`` (optional) checks that the
    executor runs that kind. Raises ConfigError listing the valid names.
    """
    names = executor_names(kind)
    if name not in names:
        what = f" for {kind} cards" if kind is not None else ""
        raise ConfigError(f"`executor` must be one of {', '.join(repr(n) for n in names)}{what}, got {name!r}")
    return _REGISTRY[name](**options)
