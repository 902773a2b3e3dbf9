"""A concrete spiking network: a ``kind = "spiking"`` card plus sizes, sparse weights and drive.

Connectivity is stored as sparse triplets per pathway, ``(pre, post, w)``
with ``w`` in mV (the PSP area in units of tau; see ``models/chaotic_lif.toml``),
sorted by presynaptic then postsynaptic index. The synapse structure is
fixed once the network is drawn; executors may rerun it with new weight
*values* (same structure) without rebuilding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..resources import check_memory
from ..validation import check_finite_array, check_float, check_int, fail
from .card import ModelCard, load_card
from .connectivity import dense_to_sparse, hopfield_coupling, sparse_ei_connectivity
from .network import constant_input, draw_common, gain_scales, seed_streams
from .schedule import GainLike, GainSchedule, as_schedule

__all__ = ["SpikingNetwork", "build_spiking_network", "initial_potentials", "card_parameters"]

#: Parameter-name suffixes that carry a unit (the Brian2 name drops the suffix).
UNIT_SUFFIXES = {"_mV": "mV", "_ms": "ms", "_Hz": "Hz"}


def card_parameters(card: ModelCard, overrides: dict | None = None) -> dict:
    """The card's parameters with ``overrides`` applied; unknown override keys are an error.

    >>> card_parameters(load_card("chaotic_lif"), {"J_mV": 0.1})["J_mV"]
    0.1
    """
    params = dict(card.parameters)
    where = card.path or card.name
    for key, value in (overrides or {}).items():
        if key not in params:
            fail("params", f"keys among {sorted(params)} (parameters of {card.name!r})", key, where)
        params[key] = value
    for key, value in params.items():
        if key.startswith("tau") and key.endswith("_ms"):
            check_float(value, key, low=0.0, low_open=True, where=where)
    return params


@dataclass(frozen=True, eq=False)
class SpikingNetwork:
    """A spiking network ready to simulate.

    Attributes
    ----------
    card : the spiking model card
    N : number of neurons; neurons ``0 .. N_E - 1`` are excitatory
    N_E : number of excitatory neurons (4 N / 5; sign only matters for ``sparse_ei`` pathways)
    connections : dict pathway -> (pre (K,), post (K,), w (K,) in mV)
    bias : ndarray (N,), external drive mu_ext in mV
    gain : GainSchedule (time in units of tau)
    tau_ms : membrane time constant (the time unit of :class:`~neurochaos.executors.RunConfig`)
    params : resolved card parameters (with overrides)
    patterns : ndarray (P, N) of +-1 patterns, or None
    seed : the seed the connectivity was drawn with
    """

    card: ModelCard
    N: int
    N_E: int
    connections: dict
    bias: np.ndarray
    gain: GainSchedule
    tau_ms: float
    params: dict
    patterns: np.ndarray | None = None
    seed: int | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        where = self.card.path or self.card.name
        if self.card.kind != "spiking":
            fail("card.kind", "'spiking' for a SpikingNetwork", self.card.kind, where)
        check_int(self.N, "N", min_value=1, where=where)
        check_int(self.N_E, "N_E", min_value=0, where=where)
        check_float(self.tau_ms, "tau_ms", low=0.0, low_open=True, where=where)
        names = {p.name for p in self.card.pathways}
        if set(self.connections) != names:
            fail("connections", f"a dict with keys {sorted(names)}", sorted(self.connections), where)
        conns = {}
        for name, (pre, post, w) in self.connections.items():
            pre, post = np.asarray(pre, dtype=np.int64), np.asarray(post, dtype=np.int64)
            w = check_finite_array(w, f"connections[{name!r}] weights", shape=(len(pre),), where=where)
            if pre.shape != post.shape or pre.ndim != 1:
                fail(f"connections[{name!r}]", "pre and post of the same 1-D shape", (pre.shape, post.shape), where)
            if len(pre) and (min(pre.min(), post.min()) < 0 or max(pre.max(), post.max()) >= self.N):
                fail(f"connections[{name!r}] indices", f"in [0, {self.N})", (int(pre.min()), int(pre.max())), where)
            conns[name] = (pre, post, w)
        object.__setattr__(self, "connections", conns)
        object.__setattr__(self, "bias", check_finite_array(self.bias, "bias", shape=(self.N,), where=where))
        object.__setattr__(self, "gain", as_schedule(self.gain))
        if self.patterns is not None:
            object.__setattr__(self, "patterns", check_finite_array(self.patterns, "patterns", shape=(None, self.N)))

    @property
    def weights(self) -> dict:
        """dict pathway -> w (K,) in mV (the values of :attr:`connections`)."""
        return {k: c[2] for k, c in self.connections.items()}

    def with_weights(self, **weights) -> SpikingNetwork:
        """A copy with some pathways' weight values replaced (same structure, arrays (K,) in mV)."""
        conns = dict(self.connections)
        for k, w in weights.items():
            if k not in conns:
                fail("weights", f"keys among {sorted(conns)}", k)
            pre, post, _ = conns[k]
            conns[k] = (pre, post, check_finite_array(w, f"weights[{k!r}]", shape=(len(pre),)))
        return self._copy(connections=conns, seed=None)

    def with_gain(self, gain: GainLike) -> SpikingNetwork:
        """A copy with another gain (number or schedule)."""
        return self._copy(gain=gain)

    def _copy(self, **changes) -> SpikingNetwork:
        kw = {k: getattr(self, k) for k in self.__dataclass_fields__}
        kw.update(changes, meta=dict(self.meta))
        return SpikingNetwork(**kw)

    def dense_weights(self, name: str) -> np.ndarray:
        """Pathway ``name`` as a dense ``W[post, pre]`` in mV, shape (N, N) (duplicates summed)."""
        pre, post, w = self.connections[name]
        W = np.zeros((self.N, self.N))
        np.add.at(W, (post, pre), w)
        return W

    def effective_coupling(self, g: float | None = None) -> np.ndarray:
        """Total PSP-area matrix in mV at gain ``g`` (default: gain at t = 0), shape (N, N)."""
        if g is None:
            g = float(self.gain.sample(1, 1.0)[0])
        return sum(
            (g if gain_scales(self.card, p.target) else 1.0) * self.dense_weights(p.name) for p in self.card.pathways
        )


def build_spiking_network(model: str | ModelCard, **kwargs) -> SpikingNetwork:
    """:func:`~neurochaos.model.build_network` for a spiking card, refusing rate cards.

    Keywords as :func:`~neurochaos.model.build_network` (N, g, seed, P, patterns,
    ``bias``: the external drive mu_ext in mV, ``params``: card parameter
    overrides such as ``{"J_mV": 0.2}``); N_E = N - N // 5.

    >>> net = build_spiking_network("chaotic_lif", N=100, seed=1)
    >>> net.N_E, net.connections["rand"][0].dtype.name
    (80, 'int64')
    """
    from .network import build_network

    card = model if isinstance(model, ModelCard) else load_card(model)
    if card.kind != "spiking":
        fail(
            "model",
            "a spiking card (kind = 'spiking'); rate cards use build_network",
            card.name,
            card.path or card.name,
        )
    return build_network(card, **kwargs)


def draw_spiking(card: ModelCard, N, g, seed, P, patterns, bias, params) -> SpikingNetwork:
    """The spiking body of :func:`~neurochaos.model.build_network` (``card`` a loaded spiking card)."""
    prm = card_parameters(card, params)
    N, g, rng_w, patterns = draw_common(card, prm, N, g, seed, P, patterns, min_N=2)
    dense = any(p.recipe != "sparse_ei" for p in card.pathways)  # a dense N x N draw, then (pre, post, w) lists
    check_memory(32.0 * N * N if dense else 24.0 * N * N * float(prm.get("p", 1.0)), f"the connections (N = {N})")
    N_E = N - N // 5
    conns = {}
    for p in card.pathways:
        if p.recipe == "sparse_ei":
            conns[p.name] = sparse_ei_connectivity(N, N_E, prm["p"], rng_w, J=prm["J_mV"], g_I=prm["g_I"])
        elif p.recipe == "hopfield":
            conns[p.name] = dense_to_sparse(prm["J_s_mV"] * hopfield_coupling(patterns))
        else:  # "zeros": every off-diagonal pair, weight 0 (a learnable pathway)
            conns[p.name] = dense_to_sparse(np.zeros((N, N)), keep_zeros=True)
    mu = prm.get("mu_mV", 0.0) if bias is None else bias
    b = constant_input(mu, N, card.path or card.name)
    return SpikingNetwork(card, N, N_E, conns, b, g, float(prm["tau_ms"]), prm, patterns, seed)


def initial_potentials(network: SpikingNetwork, chains: int = 1, seed: int = 0) -> np.ndarray:
    """Initial potentials drawn uniformly between the reset and the threshold, in mV.

    Returns
    -------
    ndarray, shape (chains, N), float64, mV
    """
    chains = check_int(chains, "chains", min_value=1)
    (rng,) = seed_streams(seed, 1)
    lo = float(network.params.get("V_r_mV", network.params.get("V_L_mV", 0.0)))
    hi = float(network.params.get("theta_mV", lo + 10.0))
    return rng.uniform(lo, hi, size=(chains, network.N))
