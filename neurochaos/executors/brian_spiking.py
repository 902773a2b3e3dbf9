"""Executors for spiking cards: ``get_executor(name, kind="spiking")``.

The names are those of the rate executors (``"brian2-runtime"``,
``"brian2-cpp"``, ``"brian2-cuda"``); ``kind="spiking"`` selects these
classes, whose ``supports(card)`` is true only for ``kind = "spiking"`` cards.
The protocol is the rate one: the card's Brian2 equations (with units,
threshold, reset, refractoriness) are built once in ``cpp_standalone`` /
``cuda_standalone`` and rerun with new initial potentials, weight values,
external drive, constant variables and gain schedule through
``device.run(run_args=...)``; every value is read back after each run.

M chains are M disjoint copies of the network in one ``NeuronGroup`` of M N
neurons; each pathway is one ``Synapses`` object with the network's sparse
(pre, post) pairs repeated per chain. Object names are lower case (brian2cuda
ignores run_args of objects whose names contain capitals).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, ExecutorUnavailableError, RunArgsMismatchError
from ..validation import check_finite_array, fail
from .base import Executor, RunConfig, Trace, register
from .brian_cuda import BrianCuda
from .brian_runtime import brian_available, runtime_device
from .brian_standalone import BrianStandalone

__all__ = ["SpikeTrace", "SpikingRuntime", "SpikingStandalone", "SpikingCuda", "brian_namespace", "spiking_inputs"]

NEURONS, MON_V, MON_V0, MON_SPIKES, MON_G, GAIN_TA = "neurons", "mon_v", "mon_v0", "mon_spikes", "mon_g", "gain_ta"
_UNITS = {"_mV": "mV", "_ms": "ms", "_Hz": "Hz"}


@dataclass
class SpikeTrace(Trace):
    """A spiking run: potentials (as :class:`Trace`, in mV) and spikes.

    Attributes (besides Trace's: t (n_rec,) in tau, x (n_rec, M, k) potentials in
    mV of the first k neurons of each chain, x_final (M, N) potentials in mV)
    ----------
    spike_i : ndarray (K,), int, neuron index 0 .. N-1 within its chain
    spike_chain : ndarray (K,), int, chain 0 .. M-1
    spike_t_ms : ndarray (K,), spike time in ms
    duration_ms : run length in ms
    N : neurons per chain
    """

    spike_i: np.ndarray | None = None
    spike_chain: np.ndarray | None = None
    spike_t_ms: np.ndarray | None = None
    duration_ms: float = 0.0
    N: int = 0

    @property
    def M(self) -> int:
        return int(self.x_final.shape[0])

    def counts(self) -> np.ndarray:
        """Spike counts, shape (M, N)."""
        c = np.zeros((self.M, self.N), dtype=np.int64)
        np.add.at(c, (self.spike_chain, self.spike_i), 1)
        return c

    def rates_hz(self) -> np.ndarray:
        """Mean firing rate over the run, shape (M, N), Hz."""
        return self.counts() / (self.duration_ms * 1e-3)

    def chain(self, m: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(spike_i, spike_t_ms) of chain ``m``."""
        sel = self.spike_chain == m
        return self.spike_i[sel], self.spike_t_ms[sel]


def brian_namespace(params: dict, tau_ms: float, exclude=()) -> dict:
    """Brian2 namespace of a spiking card: ``X_mV -> X * mV``, ``X_ms -> X * ms``, ``tau = tau_ms * ms``.

    Names in ``exclude`` (the equations' own variables, e.g. ``mu``) are left out.
    """
    import brian2 as b2

    ns = {}
    for key, value in params.items():
        for suffix, unit in _UNITS.items():
            name = key[: -len(suffix)]
            if key.endswith(suffix) and isinstance(value, int | float) and name not in exclude:
                ns[name] = float(value) * getattr(b2, unit)
    ns["tau"] = tau_ms * b2.ms
    return ns


def extra_spiking_variables(card) -> tuple[str, ...]:
    """Constant neuron variables settable per run besides ``mu`` (the drive)."""
    from ..model.card import parse_equations

    eqs = parse_equations(card.neuron, "equations.neuron", card.path or card.name)
    params = set(eqs.names) - set(eqs.diff_eq_names) - set(eqs.subexpr_names)
    return tuple(sorted(params - {"mu"}))


def _per_chain(value, name: str, M: int, N: int) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full(N, float(arr))
    arr = check_finite_array(arr, name, shape=(N,) if arr.ndim == 1 else (M, N))
    return np.broadcast_to(arr, (M, N)).copy()


def spiking_inputs(network, config: RunConfig, x0, weights=None, gain=None, bias=None, variables=None):
    """Validate and resolve one run's inputs.

    Returns
    -------
    v0 : ndarray (M, N), mV
    weights : dict pathway -> (K,) mV
    gains : ndarray (n_steps + 1,), gain at t_n = n dt
    bias : ndarray (M, N), mV (external drive mu)
    variables : dict name -> (M, N)
    """
    from ..model.schedule import as_schedule

    N = network.N
    x0 = np.atleast_2d(check_finite_array(x0, "x0", shape=(None, N) if np.ndim(x0) == 2 else (N,)))
    M = x0.shape[0]
    w = dict(network.weights)
    for k, v in (weights or {}).items():
        if k not in w:
            fail("weights", f"keys among {sorted(w)}", k)
        w[k] = check_finite_array(v, f"weights[{k!r}]", shape=w[k].shape)
    sched = network.gain if gain is None else as_schedule(gain)
    gains = sched.sample(config.n_steps + 1, config.dt)
    bias = _per_chain(network.bias if bias is None else bias, "bias", M, N)
    names = extra_spiking_variables(network.card)
    variables = dict(variables or {})
    unknown = set(variables) - set(names)
    if unknown:
        fail("variables", f"keys among {list(names)} (constant neuron variables)", sorted(unknown))
    var = {n: _per_chain(variables.get(n, 0.0), f"variables[{n!r}]", M, N) for n in names}
    return x0, w, gains, bias, var


class _Objects:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def build_spiking_objects(network, config: RunConfig, M: int, gains: np.ndarray, record_v: int):
    """Create (in the active Brian2 device) the objects of M chains; record ``record_v`` neurons per chain."""
    import brian2 as b2

    card, N = network.card, network.N
    from ..model.card import parse_equations

    ns = brian_namespace(network.params, network.tau_ms, parse_equations(card.neuron, "neuron", card.name).names)
    dt = config.dt * network.tau_ms * b2.ms
    duration = config.n_steps * dt
    ta = b2.TimedArray(np.asarray(gains, dtype=float), dt=dt, name=GAIN_TA)
    ns["gain"] = ta
    # group and synapses run on the default clock: brian2cuda's spike-propagation code
    # refers to `defaultclock` and fails to compile when the synapses have their own clock
    b2.defaultclock.dt = dt
    group = b2.NeuronGroup(
        M * N,
        card.neuron,
        threshold=card.threshold,
        reset=card.reset,
        refractory=card.refractory,
        method=config.method,
        namespace=ns,
        name=NEURONS,
    )
    synapses = {}
    for p in card.pathways:
        pre, post, _ = network.connections[p.name]
        S = b2.Synapses(group, group, p.model, on_pre=p.on_pre, namespace=ns, name=f"syn_{p.name}")
        off = np.repeat(np.arange(M, dtype=np.int64) * N, len(pre))
        S.connect(i=np.tile(pre, M) + off, j=np.tile(post, M) + off)
        synapses[p.name] = S
    mon_spikes = b2.SpikeMonitor(group, name=MON_SPIKES)
    mon_v0 = b2.StateMonitor(group, card.state, record=True, dt=duration, name=MON_V0)
    objs = [group, mon_spikes, mon_v0, *synapses.values()]
    mon_v = None
    if record_v:
        rec = (np.arange(M)[:, None] * N + np.arange(record_v)[None, :]).ravel()
        mon_v = b2.StateMonitor(group, card.state, record=rec, dt=config.record_every * dt, name=MON_V)
        objs.append(mon_v)
    mon_g = None
    if card.uses_gain:
        mon_g = b2.StateMonitor(group, "g", record=[0], dt=dt, name=MON_G)
        objs.append(mon_g)
    return _Objects(
        net=b2.Network(*objs),
        group=group,
        synapses=synapses,
        mon_spikes=mon_spikes,
        mon_v0=mon_v0,
        mon_v=mon_v,
        mon_g=mon_g,
        timed_array=ta,
        duration=duration,
    )


def read_spike_trace(objs, network, config: RunConfig, M: int, record_v: int, name: str, meta: dict) -> SpikeTrace:
    """Read monitors and group into a :class:`SpikeTrace` (potentials in mV)."""
    N = network.N
    state = network.card.state
    if objs.mon_v is not None:
        xs = np.asarray(getattr(objs.mon_v, state + "_"))[:, : config.n_records] * 1e3  # (M*k, n_rec)
        xs = xs.T.reshape(-1, M, record_v)
    else:
        xs = np.zeros((0, M, 0))
    x_final = np.asarray(getattr(objs.group, state + "_")[:]).reshape(M, N) * 1e3
    gi = np.asarray(objs.mon_spikes.i[:], dtype=np.int64)
    t = np.arange(xs.shape[0]) * config.record_every * config.dt
    return SpikeTrace(
        t,
        xs,
        x_final,
        name,
        meta,
        spike_i=gi % N,
        spike_chain=gi // N,
        spike_t_ms=np.asarray(objs.mon_spikes.t_[:]) * 1e3,
        duration_ms=config.n_steps * config.dt * network.tau_ms,
        N=N,
    )


@contextlib.contextmanager
def _default_dt_restored():
    """Restore Brian2's ``defaultclock.dt`` (set by :func:`build_spiking_objects`) when done."""
    import brian2 as b2

    old = b2.defaultclock.dt
    try:
        yield
    finally:
        b2.defaultclock.dt = old


def _check_spiking(executor, network, config: RunConfig):
    if not executor.supports(network):
        raise ConfigError(
            f"executor {executor.name!r} (kind='spiking') runs spiking cards only, got kind "
            f"{network.card.kind!r} ({network.card.name}); use get_executor({executor.name!r}) for rate cards"
        )
    if config.dtype != "float64":
        raise ConfigError(f"`dtype` must be 'float64' for Brian2 executors, got {config.dtype!r}")


def _record_count(record_v, N: int) -> int:
    if record_v is None or record_v is True:
        return N
    if record_v is False:
        return 0
    if not isinstance(record_v, int) or not 0 <= record_v <= N:
        fail("record_v", f"None (all), or an integer in [0, {N}]", record_v)
    return record_v


@register
class SpikingRuntime(Executor):
    """Brian2 runtime mode for spiking cards (the reference; objects created afresh each run).

    Parameters
    ----------
    target : "numpy" (default) or "cython"
    record_v : neurons per chain whose potential is recorded (None: all, 0: none)
    """

    name = "brian2-runtime"
    kind = "spiking"

    def __init__(self, target: str = "numpy", record_v: int | None = None, progress: bool = False):
        if target not in ("numpy", "cython"):
            raise ConfigError(f"`target` must be 'numpy' or 'cython', got {target!r}")
        self.target, self.record_v, self.progress = target, record_v, progress
        self.network = None

    @classmethod
    def available(cls):
        return brian_available()

    def supports(self, network) -> bool:
        return network.card.kind == "spiking"

    def prepare(self, network, config: RunConfig) -> None:
        ok, why = self.available()
        if not ok:
            raise ExecutorUnavailableError(why)
        _check_spiking(self, network, config)
        self.network, self.config = network, config

    def run(self, x0, *, weights=None, gain=None, bias=None, variables=None) -> SpikeTrace:
        """Run from potentials ``x0`` (M, N) in mV; ``bias`` is the drive mu in mV, (N,) or (M, N)."""
        import brian2 as b2

        if self.network is None:
            raise ConfigError("`prepare` must be called before `run`, got an unprepared executor")
        net, cfg = self.network, self.config
        v0, w, gains, mu, var = spiking_inputs(net, cfg, x0, weights, gain, bias, variables)
        M, k = v0.shape[0], _record_count(self.record_v, net.N)
        t0 = time.perf_counter()
        with runtime_device(self.target), _default_dt_restored():
            objs = build_spiking_objects(net, cfg, M, gains, k)
            setattr(objs.group, net.card.state, v0.ravel() * b2.mV)
            objs.group.mu = mu.ravel() * b2.mV
            for name, v in var.items():
                setattr(objs.group, name, v.ravel())
            for name, S in objs.synapses.items():
                S.w = np.tile(w[name], M) * b2.mV
            objs.net.run(objs.duration, namespace={}, report="text" if self.progress else None)
            meta = {"dt": cfg.dt, "method": cfg.method, "seconds": time.perf_counter() - t0, "target": self.target}
            tr = read_spike_trace(objs, net, cfg, M, k, self.name, meta)
        return tr.check_finite(net.card.state)


class _SpikingStandaloneMixin:
    """run/verify of the standalone spiking executors (the build comes from BrianStandalone)."""

    kind = "spiking"

    def __init__(self, *, record_v: int | None = None, **options):
        super().__init__(**options)  # directory, verify, progress (+ brian2cuda's options)
        self.record_v = record_v

    def supports(self, network) -> bool:
        return network.card.kind == "spiking"

    def prepare(self, network, config: RunConfig) -> None:
        ok, why = self._check_available()
        if not ok:
            raise ExecutorUnavailableError(f"executor {self.name!r} cannot run here: {why}")
        _check_spiking(self, network, config)
        super().prepare(network, config)

    def _create_objects(self, net, cfg, M, gains):
        return build_spiking_objects(net, cfg, M, gains, _record_count(self.record_v, net.N))

    def run(self, x0, *, weights=None, gain=None, bias=None, variables=None) -> SpikeTrace:
        """As :meth:`SpikingRuntime.run`; builds on the first run only (or when M changes)."""

        import brian2 as b2

        if self.network is None:
            raise ConfigError("`prepare` must be called before `run`, got an unprepared executor")
        if getattr(self, "require_gpu", True) is False:  # brian2cuda compiled without a GPU
            from .brian_cuda import cuda_missing

            missing = cuda_missing(require_gpu=True)
            if missing:
                raise ExecutorUnavailableError(
                    f"executor {self.name!r} compiled without a GPU cannot run here: missing " + "; ".join(missing)
                )
        net, cfg = self.network, self.config
        v0, w, gains, mu, var = spiking_inputs(net, cfg, x0, weights, gain, bias, variables)
        M = v0.shape[0]
        t_build = self._ensure_built(M, gains)
        objs = self._objs
        wvals = {name: np.tile(w[name], M) for name in objs.synapses}
        run_args = {getattr(objs.group, net.card.state): v0.ravel() * b2.mV, objs.group.mu: mu.ravel() * b2.mV}
        for name, S in objs.synapses.items():
            run_args[S.w] = wvals[name] * b2.mV
        for name, v in var.items():
            run_args[getattr(objs.group, name)] = v.ravel()
        if net.card.uses_gain:
            run_args[objs.timed_array] = np.asarray(gains, dtype=float)
        t1 = time.perf_counter()
        self._device.run(run_args=run_args, with_output=self.progress)
        t_run = time.perf_counter() - t1
        meta = self._run_meta(t_run, t_build)
        k = _record_count(self.record_v, net.N)
        tr = read_spike_trace(objs, net, cfg, M, k, self.name, meta)
        if self.verify:
            self._verify_spiking(objs, v0, mu, wvals, gains, var, M)
        return tr.check_finite(net.card.state)

    def _verify_spiking(self, objs, v0, mu, wvals, gains, var, M):
        def check(what, got, want):
            got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
            if got.shape != want.shape or not np.allclose(got, want, rtol=1e-12, atol=0.0):
                raise RunArgsMismatchError(
                    f"{self.name}: `{what}` read back after the run differs from the value passed in run_args "
                    f"(project {self.directory}); the run used stale or default values"
                )

        state = self.network.card.state
        check("x0", np.asarray(getattr(objs.mon_v0, state + "_"))[:, 0] * 1e3, v0.ravel())
        check("bias", np.asarray(objs.group.mu_[:]) * 1e3, mu.ravel())
        for name, v in var.items():
            check(f"variables[{name!r}]", np.asarray(getattr(objs.group, name)[:]), v.ravel())
        for name, S in objs.synapses.items():
            check(f"weights[{name!r}]", np.asarray(S.w_[:]) * 1e3, wvals[name])
            if not self._indices_checked:
                pre, post, _ = self.network.connections[name]
                off = np.repeat(np.arange(M, dtype=np.int64) * self.network.N, len(pre))
                want = np.stack([np.tile(pre, M) + off, np.tile(post, M) + off])
                check(f"synapse indices of {name!r}", np.stack([S.i[:], S.j[:]]), want)
        self._indices_checked = True
        if objs.mon_g is not None:
            n = self.config.n_steps
            check("gain", np.asarray(objs.mon_g.g[0])[:n], np.asarray(gains)[:n])


@register
class SpikingStandalone(_SpikingStandaloneMixin, BrianStandalone):
    """Brian2 cpp_standalone for spiking cards (options: directory, verify, progress, record_v)."""

    name = "brian2-cpp"


@register
class SpikingCuda(_SpikingStandaloneMixin, BrianCuda):
    """brian2cuda cuda_standalone for spiking cards (needs the ``cuda`` extra, nvcc and a GPU)."""

    name = "brian2-cuda"
