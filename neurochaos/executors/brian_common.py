"""Build, fill, read and check the Brian2 objects of a rate network (shared by all Brian2 executors).

Each card kind has one *kind adapter* (:class:`RateBrian` here, ``SpikingBrian``
in :mod:`.brian_spiking`) with the same five methods, so that every Brian2
executor runs every kind through one code path: ``build`` the objects,
``values`` (the Brian2 variable -> value of each run input, assigned directly in
runtime mode and passed as ``run_args`` in standalone mode), ``read`` the trace,
and ``readback`` (value read back, value passed) pairs for the standalone check.

M independent chains are M copies of the network inside one NeuronGroup of
M * N neurons; each pathway is one ``Synapses`` object with M * N^2 synapses,
created pre-major (for each presynaptic neuron i, its N targets in order), so
the weight array is ``W.T.ravel()`` repeated M times.

All object names are lower case: brian2cuda 1.0b1 silently ignores run_args
of objects whose names contain capitals.
"""

from __future__ import annotations

import numpy as np

from ..brian_import import load_brian
from ..errors import ConfigError
from .base import Trace
from .integrators import check_method

__all__ = [
    "BrianObjects",
    "RateBrian",
    "build_objects",
    "check_brian_config",
    "synapse_weights",
    "expected_indices",
    "kind_adapter",
]

NEURONS = "neurons"
MON_X = "mon_x"
MON_G = "mon_g"
GAIN_TA = "gain_ta"


class BrianObjects:
    """The Brian2 objects of one rate network (a plain record)."""

    def __init__(self, net, group, synapses, mon_x, mon_g, timed_array):
        self.net = net
        self.group = group
        self.synapses = synapses  # dict pathway name -> Synapses
        self.mon_x = mon_x
        self.mon_g = mon_g
        self.timed_array = timed_array


def check_brian_config(network, config, executor) -> None:
    """Raise ConfigError for run settings the Brian2 executors cannot honour (dtype, method)."""
    if config.dtype != "float64":
        raise ConfigError(f"`dtype` must be 'float64' for Brian2 executors, got {config.dtype!r}")
    check_method(network, config.method, executor.name, executor.methods)


def synapse_weights(W: np.ndarray, M: int) -> np.ndarray:
    """Weights in Brian2 synapse order for M chains: ``W[j, i]`` for pre-major (i, j)."""
    return np.tile(np.ascontiguousarray(W.T).ravel(), M)


def expected_indices(N: int, M: int) -> tuple[np.ndarray, np.ndarray]:
    """The (i, j) arrays the connect call must create, for checking."""
    base = np.arange(N)
    i = np.concatenate([np.repeat(base + m * N, N) for m in range(M)])
    j = np.concatenate([np.tile(base + m * N, N) for m in range(M)])
    return i, j


def build_objects(network, config, M: int, gains: np.ndarray) -> BrianObjects:
    """Create (in the currently active Brian2 device) the objects for M chains."""
    b2 = load_brian()
    card = network.card
    N = network.N
    tau = network.tau_ms * b2.ms
    dt = config.dt * tau
    ta = b2.TimedArray(np.asarray(gains, dtype=float), dt=dt, name=GAIN_TA)
    ns = {"tau": tau, "gain": ta}
    group = b2.NeuronGroup(M * N, card.neuron, method=config.method, namespace=ns, dt=dt, name=NEURONS)
    group.run_regularly(card.rate_update, when="before_groups", name="rate_update")
    synapses = {}
    for p in card.pathways:
        S = b2.Synapses(group, group, p.model, dt=dt, name=f"syn_{p.name}")
        S.connect(
            j="k for k in range((i // n_chain) * n_chain, (i // n_chain + 1) * n_chain)",
            namespace={"n_chain": N},
        )
        synapses[p.name] = S
    mon_x = b2.StateMonitor(group, card.state, record=True, dt=config.record_every * dt, name=MON_X)
    objs = [group, mon_x, *synapses.values()]
    mon_g = None
    if card.uses_gain:
        mon_g = b2.StateMonitor(group, "g", record=[0], dt=dt, name=MON_G)
        objs.append(mon_g)
    net = b2.Network(*objs)
    return BrianObjects(net, group, synapses, mon_x, mon_g, ta)


def read_trace(objs: BrianObjects, network, config, M: int):
    """(x records (n_rec, M, N), x_final (M, N)) from the monitors and the group."""
    N = network.N
    xs = np.asarray(getattr(objs.mon_x, network.card.state))  # (M*N, n_rec)
    n_rec = config.n_records
    xs = xs[:, :n_rec].T.reshape(-1, M, N)
    x_final = np.asarray(getattr(objs.group, network.card.state)[:]).reshape(M, N)
    return xs, x_final


class RateBrian:
    """Kind adapter of rate cards (see the module docstring); ``record_v`` is ignored (all units are recorded)."""

    kind = "rate"
    #: relative tolerance of the standalone read-back (values travel as float64 unchanged)
    rtol = 0.0

    def build(self, network, config, M: int, gains: np.ndarray, record_v=None) -> BrianObjects:
        return build_objects(network, config, M, gains)

    def values(self, objs: BrianObjects, network, inputs) -> dict:
        """Brian2 variable -> value for the state, the bias, the weights and the settable variables."""
        M = inputs.M
        out = {getattr(objs.group, network.card.state): inputs.x0.ravel(), objs.group.b: inputs.bias.ravel()}
        for name, S in objs.synapses.items():
            out[S.w] = synapse_weights(inputs.weights[name], M)
        for name, v in inputs.variables.items():
            out[getattr(objs.group, name)] = v.ravel()
        return out

    def read(self, objs: BrianObjects, network, config, inputs, record_v, name: str, meta: dict) -> Trace:
        xs, x_final = read_trace(objs, network, config, inputs.M)
        t = np.arange(config.n_records) * config.record_every * config.dt
        return Trace(t, xs, x_final, name, meta)

    def readback(self, objs: BrianObjects, network, inputs, trace, check_indices: bool) -> list:
        """(what, value read back, value passed) for every run input (and the synapse indices)."""
        M = inputs.M
        out = [("x0", trace.x[0], inputs.x0), ("bias", np.asarray(objs.group.b[:]), inputs.bias.ravel())]
        for name, v in inputs.variables.items():
            out.append((f"variables[{name!r}]", np.asarray(getattr(objs.group, name)[:]), v.ravel()))
        for name, S in objs.synapses.items():
            out.append((f"weights[{name!r}]", np.asarray(S.w[:]), synapse_weights(inputs.weights[name], M)))
            if check_indices:
                i, j = expected_indices(network.N, M)
                out.append((f"synapse indices of {name!r}", np.stack([S.i[:], S.j[:]]), np.stack([i, j])))
        return out


def kind_adapter(network):
    """The Brian2 kind adapter of ``network.card.kind`` (RateBrian or SpikingBrian)."""
    if network.card.kind == "spiking":
        from .brian_spiking import SpikingBrian

        return SpikingBrian()
    return RateBrian()
