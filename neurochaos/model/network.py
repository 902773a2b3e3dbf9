"""A concrete rate network: a model card plus size, weights, bias and gain."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ModelError
from ..resources import check_memory
from ..validation import check_finite_array, check_float, check_int, fail
from .card import ModelCard, load_card
from .connectivity import gaussian_coupling, hopfield_coupling, random_patterns, zero_coupling
from .schedule import GainLike, GainSchedule, as_schedule

__all__ = ["RateNetwork", "build_network", "initial_state", "seed_streams"]


def seed_streams(seed: int, n: int) -> list[np.random.Generator]:
    """``n`` independent generators derived from one integer seed.

    >>> a, b = seed_streams(0, 2); a.random() != b.random()
    True
    """
    seed = check_int(seed, "seed", min_value=0)
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


@dataclass(frozen=True, eq=False)
class RateNetwork:
    """A rate network ready to simulate.

    Attributes
    ----------
    card : the model card (equations and recipes)
    N : number of units
    weights : dict pathway name -> ndarray (N, N), ``W[post, pre]``, dimensionless
    bias : ndarray (N,), dimensionless constant input b
    gain : GainSchedule (constant or g(t), time in units of tau)
    tau_ms : time constant in ms
    patterns : ndarray (P, N) of the stored patterns, or None
    seed : the seed the weights were drawn with (None if given by hand)
    """

    card: ModelCard
    N: int
    weights: dict
    bias: np.ndarray
    gain: GainSchedule
    tau_ms: float
    patterns: np.ndarray | None = None
    seed: int | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        where = self.card.path or self.card.name
        check_int(self.N, "N", min_value=1, where=where)
        check_float(self.tau_ms, "tau_ms", low=0.0, low_open=True, where=where)
        names = {p.name for p in self.card.pathways}
        if set(self.weights) != names:
            fail("weights", f"a dict with keys {sorted(names)}", sorted(self.weights), where)
        w = {
            k: check_finite_array(v, f"weights[{k!r}]", shape=(self.N, self.N), where=where)
            for k, v in self.weights.items()
        }
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "bias", check_finite_array(self.bias, "bias", shape=(self.N,), where=where))
        object.__setattr__(self, "gain", as_schedule(self.gain))
        if self.patterns is not None:
            object.__setattr__(self, "patterns", check_finite_array(self.patterns, "patterns", shape=(None, self.N)))

    def with_weights(self, **weights) -> RateNetwork:
        """A copy with some pathways' weights replaced (arrays (N, N))."""
        new = dict(self.weights)
        for k, v in weights.items():
            if k not in new:
                fail("weights", f"keys among {sorted(new)}", k)
            new[k] = v
        return RateNetwork(
            self.card, self.N, new, self.bias, self.gain, self.tau_ms, self.patterns, None, dict(self.meta)
        )

    def with_gain(self, gain: GainLike) -> RateNetwork:
        """A copy with another gain (number or schedule)."""
        return RateNetwork(
            self.card, self.N, self.weights, self.bias, gain, self.tau_ms, self.patterns, self.seed, dict(self.meta)
        )

    def effective_coupling(self, g: float | None = None) -> np.ndarray:
        """The total coupling at gain ``g`` (default: the gain at t = 0), shape (N, N).

        Reads the card's equations: pathways whose target is multiplied by ``g``
        in the neuron equation are scaled by ``g``.
        """
        if g is None:
            g = float(self.gain.sample(1, 1.0)[0])
        total = np.zeros((self.N, self.N))
        for p in self.card.pathways:
            total += (g if gain_scales(self.card, p.target) else 1.0) * self.weights[p.name]
        return total


def gain_scales(card: ModelCard, target: str) -> bool:
    """Whether the neuron equations multiply ``target`` by the gain ``g``."""
    text = card.neuron.replace(" ", "")
    return f"g*{target}" in text or f"{target}*g" in text


def draw_common(card: ModelCard, prm: dict, N, g, seed: int, P, patterns, *, min_N: int):
    """What building a rate or a spiking network shares: checked N and g, the weight stream, the patterns.

    Returns ``(N, g, rng_w, patterns)``: ``g`` a number or schedule, ``rng_w`` the
    generator of the connectivity draws (the first of :func:`seed_streams`),
    ``patterns`` (P, N) for cards with a hopfield pathway (drawn from the second
    stream unless given), else None.
    """
    where = card.path or card.name
    N = check_int(prm.get("N") if N is None else N, "N", min_value=min_N, where=where)
    g = prm.get("g", 1.0) if g is None else g
    if not isinstance(g, GainSchedule):
        g = check_float(g, "g", low=0.0, where=where)
    rng_w, rng_p = seed_streams(seed, 2)
    if card.uses_patterns:
        if patterns is None:
            P = check_int(prm.get("P", 1) if P is None else P, "P", min_value=1, where=where)
            patterns = random_patterns(P, N, rng_p)
        else:
            patterns = check_finite_array(patterns, "patterns", shape=(None, N))
    elif patterns is not None or P is not None:
        raise ModelError(f"`P`/`patterns` only apply to cards with a hopfield pathway, got them for {card.name!r}")
    return N, g, rng_w, patterns


def build_network(
    model: str | ModelCard,
    *,
    N: int | None = None,
    g: GainLike | None = None,
    seed: int = 0,
    P: int | None = None,
    patterns: np.ndarray | None = None,
    bias: np.ndarray | float | None = None,
    tau_ms: float | None = None,
    params: dict | None = None,
):
    """Draw a network from a model card's recipes: a :class:`RateNetwork`, or for a spiking card
    a :class:`~neurochaos.model.SpikingNetwork` (sparse connections, potentials in mV).

    Parameters
    ----------
    model : card name (``"chaotic_rate"``) or a loaded :class:`ModelCard`
    N : number of units (default: the card's)
    g : gain, a number >= 0 or a :class:`GainSchedule` (default: the card's)
    seed : integer seed for every random draw (weights, patterns)
    P : number of random patterns for ``hopfield`` pathways (default: the card's)
    patterns : explicit patterns, shape (P, N), instead of random ones
    bias : constant input b, scalar or shape (N,) (default 0; spiking cards: the drive mu_ext in mV,
        default the card's ``mu_mV``)
    tau_ms : time constant in ms (default: the card's; rate cards)
    params : overrides of card parameters (spiking cards, e.g. ``{"J_mV": 0.2}``)

    >>> net = build_network("chaotic_rate", N=50, g=2.0, seed=1)
    >>> net.weights["rand"].shape
    (50, 50)
    """
    card = model if isinstance(model, ModelCard) else load_card(model)
    if card.kind == "spiking":  # the network knows its kind
        from .spiking import draw_spiking

        if tau_ms is not None:
            raise ModelError(f"`tau_ms` applies to rate cards; set params={{'tau_ms': ...}} for {card.name!r}")
        return draw_spiking(card, N, g, seed, P, patterns, bias, params)
    if params is not None:
        raise ModelError(f"`params` applies to spiking cards; rate card {card.name!r} takes N, g, P, bias, tau_ms")
    prm = card.parameters
    where = card.path or card.name
    N, g, rng_w, patterns = draw_common(card, prm, N, g, seed, P, patterns, min_N=1)
    check_memory(8.0 * N * N * len(card.pathways), f"the couplings ({len(card.pathways)} x N x N float64, N = {N})")
    tau_ms = check_float(prm["tau_ms"] if tau_ms is None else tau_ms, "tau_ms", low=0.0, low_open=True, where=where)
    weights = {}
    for p in card.pathways:
        if p.recipe == "gaussian":
            weights[p.name] = gaussian_coupling(N, rng_w)
        elif p.recipe == "hopfield":
            weights[p.name] = float(prm.get("J_s", 1.0)) * hopfield_coupling(patterns)
        elif p.recipe == "zeros":
            weights[p.name] = zero_coupling(N)
        else:  # card validation makes this unreachable
            raise ModelError(f"unknown recipe {p.recipe!r}")
    b = np.zeros(N) if bias is None else constant_input(bias, N, where)
    return RateNetwork(card, N, weights, b, g, tau_ms, patterns, seed)


def constant_input(bias, N: int, where: str) -> np.ndarray:
    """A constant input given as a scalar or an (N,) array, as a float64 (N,) array."""
    b = check_finite_array(bias, "bias", where=where)
    if b.ndim == 0:
        return np.full(N, float(b))
    return check_finite_array(b, "bias", shape=(N,), where=where).copy()


def initial_state(network: RateNetwork, chains: int = 1, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    """Random initial states x(0) ~ N(0, scale^2), i.i.d.

    Returns
    -------
    ndarray, shape (chains, N), float64
    """
    chains = check_int(chains, "chains", min_value=1)
    scale = check_float(scale, "scale", low=0.0)
    (rng,) = seed_streams(seed, 1)
    return rng.normal(0.0, scale, size=(chains, network.N))
