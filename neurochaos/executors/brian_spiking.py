"""The Brian2 kind adapter of spiking cards (:class:`SpikingBrian`) and their trace.

The Brian2 executors (``"brian2-runtime"``, ``"brian2-cpp"``, ``"brian2-cuda"``)
run spiking cards through this adapter (see :mod:`.brian_common`): the card's
Brian2 equations (with units, threshold, reset, refractoriness) are built once
in ``cpp_standalone`` / ``cuda_standalone`` and rerun with new initial
potentials, weight values, external drive, constant variables and gain schedule
through ``device.run(run_args=...)``; every value is read back after each run.

M chains are M disjoint copies of the network in one ``NeuronGroup`` of M N
neurons; each pathway is one ``Synapses`` object with the network's sparse
(pre, post) pairs repeated per chain. Object names are lower case (brian2cuda
ignores run_args of objects whose names contain capitals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..brian_import import load_brian
from ..model.units import brian_namespace
from ..validation import fail
from .base import RunConfig, Trace

__all__ = ["SpikeTrace", "SpikingBrian", "brian_namespace", "build_spiking_objects", "read_spike_trace"]

NEURONS, MON_V, MON_V0, MON_SPIKES, MON_G, GAIN_TA = "neurons", "mon_v", "mon_v0", "mon_spikes", "mon_g", "gain_ta"


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


class _Objects:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def build_spiking_objects(network, config: RunConfig, M: int, gains: np.ndarray, record_v: int):
    """Create (in the active Brian2 device) the objects of M chains; record ``record_v`` neurons per chain."""
    b2 = load_brian()

    card, N = network.card, network.N
    ns = brian_namespace(network.params, network.tau_ms, card.equations.names)
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


def _record_count(record_v, N: int) -> int:
    if record_v is None or record_v is True:
        return N
    if record_v is False:
        return 0
    if not isinstance(record_v, int) or not 0 <= record_v <= N:
        fail("record_v", f"None (all), or an integer in [0, {N}]", record_v)
    return record_v


class SpikingBrian:
    """Kind adapter of spiking cards: potentials and drive in mV, sparse weights in mV."""

    kind = "spiking"
    #: relative tolerance of the standalone read-back (values pass through a mV -> V conversion)
    rtol = 1e-12

    def build(self, network, config: RunConfig, M: int, gains: np.ndarray, record_v=None):
        return build_spiking_objects(network, config, M, gains, _record_count(record_v, network.N))

    def values(self, objs, network, inputs) -> dict:
        """Brian2 variable -> value (with units) for potentials, drive, weights and settable variables."""
        b2 = load_brian()

        M = inputs.M
        out = {
            getattr(objs.group, network.card.state): inputs.x0.ravel() * b2.mV,
            objs.group.mu: inputs.bias.ravel() * b2.mV,
        }
        for name, S in objs.synapses.items():
            out[S.w] = np.tile(inputs.weights[name], M) * b2.mV
        for name, v in inputs.variables.items():
            out[getattr(objs.group, name)] = v.ravel()
        return out

    def read(self, objs, network, config, inputs, record_v, name: str, meta: dict) -> SpikeTrace:
        return read_spike_trace(objs, network, config, inputs.M, _record_count(record_v, network.N), name, meta)

    def readback(self, objs, network, inputs, trace, check_indices: bool) -> list:
        """(what, value read back, value passed) for every run input (and the synapse indices), mV."""
        M, state = inputs.M, network.card.state
        out = [
            ("x0", np.asarray(getattr(objs.mon_v0, state + "_"))[:, 0] * 1e3, inputs.x0.ravel()),
            ("bias", np.asarray(objs.group.mu_[:]) * 1e3, inputs.bias.ravel()),
        ]
        for name, v in inputs.variables.items():
            out.append((f"variables[{name!r}]", np.asarray(getattr(objs.group, name)[:]), v.ravel()))
        for name, S in objs.synapses.items():
            out.append((f"weights[{name!r}]", np.asarray(S.w_[:]) * 1e3, np.tile(inputs.weights[name], M)))
            if check_indices:
                pre, post, _ = network.connections[name]
                off = np.repeat(np.arange(M, dtype=np.int64) * network.N, len(pre))
                want = np.stack([np.tile(pre, M) + off, np.tile(post, M) + off])
                out.append((f"synapse indices of {name!r}", np.stack([S.i[:], S.j[:]]), want))
        return out
