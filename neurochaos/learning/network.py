"""The trainable chaotic generative network: frozen random J, learned symmetric A, biases.

:class:`GenerativeNetwork` holds the parameters of one of the three
architectures of Fournier & Urbani (2024) and turns them into a
:class:`~neurochaos.model.RateNetwork` of its model card (pathway ``rand``:
J0, scaled by ``g`` in the equations; pathway ``learn``: A), which any
executor runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ..model import RateNetwork, load_card, seed_streams
from ..model.card import ModelCard
from ..model.connectivity import gaussian_coupling
from ..validation import check_finite_array, check_float, check_int, fail
from .hebbian import coupling_mask, frozen_mask, layer_sizes, layer_slices

__all__ = ["GenerativeNetwork", "build_generative_network"]


@dataclass(frozen=True, eq=False)
class GenerativeNetwork:
    """Parameters of a chaotic generative network.

    Attributes
    ----------
    card : the model card (``fu_*``), whose equations every executor runs
    architecture : unrestricted, restricted2 or restricted3
    sizes : layer sizes, visible first; N = sum(sizes) + n_pool
    J0 : ndarray (N, N), frozen random coupling of unit gain (J = g J0), zero diagonal
    A : ndarray (N, N), learned symmetric coupling, zero outside :attr:`mask`
    bias : ndarray (N,), biases b (visible), c (hidden 1), d (hidden 2)
    g : gain of the random coupling
    tau_ms : time constant in ms
    dt, T : integration step and phase duration, units of tau
    method : Brian2 state updater
    n_pool : units of the chaotic pool after the layers (0: none). The pool has only frozen
        coupling: J0 is zero from the layers into it, its bias stays 0, and A never touches it,
        so its chaos is the same at every training age and drives the layers through J0
    """

    card: ModelCard
    architecture: str
    sizes: tuple
    J0: np.ndarray
    A: np.ndarray
    bias: np.ndarray
    g: float
    tau_ms: float
    dt: float
    T: float
    method: str = "euler"
    n_pool: int = 0

    def __post_init__(self):
        sizes = tuple(int(s) for s in self.sizes)
        if sizes != layer_sizes(self.architecture, *sizes):
            fail("sizes", f"layer sizes of the {self.architecture} architecture", sizes)
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "n_pool", check_int(self.n_pool, "n_pool", min_value=0))
        N = self.N
        J0 = check_finite_array(self.J0, "J0", shape=(N, N))
        if self.n_pool and np.any(J0[self.pool, : self.n_layers] != 0.0):
            fail("J0", "zero from the layers into the chaotic pool (the pool is driven by nothing)", "non-zero entries")
        object.__setattr__(self, "J0", J0)
        A = check_finite_array(self.A, "A", shape=(N, N))
        if np.any(A[~self.mask] != 0.0):
            fail(
                "A", f"zero outside the learned blocks of {self.architecture} (and on the diagonal)", "non-zero entries"
            )
        object.__setattr__(self, "A", A)
        bias = check_finite_array(self.bias, "bias", shape=(N,))
        if np.any(bias[self.pool] != 0.0):
            fail("bias", "zero on the chaotic pool's units", "non-zero entries")
        object.__setattr__(self, "bias", bias)
        check_float(self.g, "g", low=0.0)

    @property
    def N(self) -> int:
        """Total number of units (layers and pool)."""
        return self.n_layers + self.n_pool

    @property
    def n_layers(self) -> int:
        """Units of the layers (visible and hidden), ``sum(sizes)``."""
        return int(sum(self.sizes))

    @property
    def pool(self) -> slice:
        """Index range of the chaotic pool (empty without one)."""
        return slice(self.n_layers, self.N)

    @property
    def n_visible(self) -> int:
        return self.sizes[0]

    @cached_property
    def mask(self) -> np.ndarray:
        """(N, N) bool: the learned blocks of A (computed once per network; never the pool)."""
        n = self.n_layers
        mask = np.zeros((self.N, self.N), dtype=bool)
        mask[:n, :n] = coupling_mask(self.architecture, self.sizes)
        return mask

    @cached_property
    def bias_mask(self) -> np.ndarray:
        """(N,) float: 1 where the bias is learned (the layers), 0 on the pool."""
        m = np.ones(self.N)
        m[self.pool] = 0.0
        return m

    @property
    def visible(self) -> np.ndarray:
        """(N,) float: 1 on visible units, 0 on hidden ones (the clamping mask)."""
        v = np.zeros(self.N)
        v[: self.n_visible] = 1.0
        return v

    def layers(self) -> list[slice]:
        return layer_slices(self.sizes)

    def coupling(self) -> np.ndarray:
        """Total coupling g J0 + A, shape (N, N), ``[post, pre]``."""
        return self.g * self.J0 + self.A

    def with_params(self, A: np.ndarray, bias: np.ndarray, *, check: bool = True) -> GenerativeNetwork:
        """A copy with new learned parameters.

        ``check=False`` skips the validation (for the training loop, whose
        update keeps A symmetric, finite and inside the mask by construction).
        """
        return self._copy(A=A, bias=bias) if not check else replace(self, A=A, bias=bias)

    def _copy(self, **fields) -> GenerativeNetwork:
        """A copy with ``fields`` replaced and no validation (the caller checked them); keeps the cached
        masks, which depend on the layer sizes alone."""
        new = object.__new__(GenerativeNetwork)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(fields)
        return new

    def with_gain(self, g: float) -> GenerativeNetwork:
        """A copy whose frozen random coupling has gain ``g`` (chaos homeostasis changes it between epochs)."""
        return self._copy(g=check_float(g, "g", low=0.0))

    def with_pool_drive(self, scale: float) -> GenerativeNetwork:
        """A copy whose frozen pool -> layer weights are multiplied by ``scale`` (a sampling knob: the pool
        pushes the layers harder while the layers' own couplings stay as trained); needs ``n_pool`` > 0."""
        if not self.n_pool:
            fail("network", "a network with a chaotic pool (model.n_pool > 0) to scale its drive", "n_pool = 0")
        scale = check_float(scale, "scale", low=0.0)
        J0 = self.J0.copy()
        J0[: self.n_layers, self.pool] *= scale
        return self._copy(J0=J0)

    @property
    def spiking(self) -> bool:
        """Whether the card is a spiking card (trained by :class:`~neurochaos.learning.spiking.SpikingPhaseRunner`)."""
        return self.card.kind == "spiking"

    def rate_network(self) -> RateNetwork:
        """The :class:`RateNetwork` of the card with these weights (runs on any executor)."""
        if self.spiking:
            fail("network", "a rate card's network for rate_network(); use spiking_network()", self.card.name)
        return RateNetwork(self.card, self.N, {"rand": self.J0, "learn": self.A}, self.bias, self.g, self.tau_ms)

    def spiking_network(self):
        """The :class:`~neurochaos.model.SpikingNetwork` of a spiking card with these weights (mV).

        ``learn``: every pair of the learned blocks, ``w = J_A_mV * A[post, pre]``; ``rand``: the
        non-zero entries of J0 (mV); drive ``mu = mu_mV + J_b_mV * bias``.
        """
        from ..model.spiking import SpikingNetwork, card_parameters

        prm = card_parameters(self.card, {"N": self.N})
        pre_l, post_l = np.nonzero(self.mask.T)  # pre-major
        pre_r, post_r = np.nonzero(self.J0.T)
        conns = {
            "learn": (pre_l, post_l, float(prm["J_A_mV"]) * self.A[post_l, pre_l]),
            "rand": (pre_r, post_r, self.J0[post_r, pre_r]),
        }
        mu = float(prm["mu_mV"]) + float(prm["J_b_mV"]) * self.bias
        return SpikingNetwork(self.card, self.N, self.N - self.N // 5, conns, mu, self.g, self.tau_ms, prm)

    def receptive_fields(self, units) -> np.ndarray:
        """Visible-to-hidden-1 weights of some hidden units, shape (len(units), n_visible).

        >>> net = build_generative_network("fu_restricted2", n_visible=4, n_hidden=2, n_hidden2=0)
        >>> net.receptive_fields([0, 1]).shape
        (2, 4)
        """
        if len(self.sizes) < 2:
            fail("architecture", "one with hidden units for receptive fields", self.architecture)
        h = self.layers()[1]
        return self.A[h, : self.n_visible][np.asarray(units)]


def build_generative_network(
    card: str | ModelCard = "fu_restricted2",
    *,
    architecture: str | None = None,
    n_visible: int | None = None,
    n_hidden: int | None = None,
    n_hidden2: int | None = None,
    g: float | None = None,
    T: float | None = None,
    dt: float | None = None,
    tau_ms: float | None = None,
    method: str | None = None,
    j_scope: str = "all",
    j_visible: float = 1.0,
    n_pool: int = 0,
    pool_drive: float = 1.0,
    pool_gain: float = 1.0,
    seed: int = 0,
) -> GenerativeNetwork:
    """Draw the frozen coupling and start the learned parameters at zero.

    Values left ``None`` take the card's parameters. J0 has i.i.d. entries
    N(0, 1/N) over all units (``j_scope="all"``, the spec's default; the rows of
    the visible units, their random input, scaled by ``j_visible``: 0 leaves
    them only the learned input) or N(0, 1/N_l) inside each hidden layer l only
    (``"hidden"``) or nowhere (``"none"``); zero diagonal.

    ``n_pool`` > 0 adds a chaotic pool after the layers: n_pool units coupled among themselves by
    N(0, pool_gain^2 / n_pool) (a random network of gain ``g * pool_gain``, chaotic above 1 at large
    n_pool), projecting N(0, pool_drive^2 / n_pool) into every hidden unit (the visible units when
    there is no hidden layer), receiving nothing. Both scale with g, as all of J does. Training
    cannot change the pool, so the network's lambda_max stays at least the pool's (its Jacobian is
    block triangular), and the pool's chaos drives the layers.

    >>> net = build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, n_pool=5, j_scope="none")
    >>> net.N, net.pool, float(np.abs(net.J0[:10, :10]).max()), bool(net.mask[10:].any())
    (15, slice(10, 15, None), 0.0, False)

    >>> net = build_generative_network("fu_restricted3", n_visible=6, n_hidden=4, n_hidden2=2, seed=1)
    >>> net.sizes, net.N, float(np.abs(net.A).max())
    ((6, 4, 2), 12, 0.0)
    """
    card = card if isinstance(card, ModelCard) else load_card(card)
    prm = card.parameters

    def pick(value, key):
        if value is None:
            if key not in prm:
                fail(key, f"given (card {card.name!r} has no default)", None)
            return prm[key]
        return value

    architecture = pick(architecture, "architecture")
    n_h = pick(n_hidden, "N_h") if architecture != "unrestricted" else 0
    n_h2 = pick(n_hidden2, "N_h2") if architecture == "restricted3" else 0
    sizes = layer_sizes(architecture, pick(n_visible, "N_v"), n_h, n_h2)
    N = int(sum(sizes))
    (rng,) = seed_streams(seed, 1)
    j_visible = check_float(j_visible, "j_visible", low=0.0)
    n_pool = check_int(n_pool, "n_pool", min_value=0)
    pool_drive = check_float(pool_drive, "pool_drive", low=0.0)
    pool_gain = check_float(pool_gain, "pool_gain", low=0.0, low_open=True)
    if n_pool and card.kind == "spiking":
        fail("n_pool", "0 for a spiking card (its frozen part is the card's sparse E/I coupling)", n_pool)
    if j_scope == "none" and not n_pool:
        fail("j_scope", "'all' or 'hidden' with no chaotic pool (n_pool = 0): 'none' leaves no chaos", j_scope)
    if j_visible != 1.0 and (card.kind == "spiking" or j_scope != "all"):
        fail("j_visible", "1 unless the frozen coupling is the rate cards' j_scope 'all'", j_visible)
    if card.kind == "spiking":  # the frozen part is the card's sparse E/I coupling, in mV
        from ..model.connectivity import sparse_ei_connectivity

        if j_scope != "all":
            fail("j_scope", "'all' for a spiking card (the sparse E/I coupling spans every neuron)", j_scope)
        pre, post, w = sparse_ei_connectivity(N, N - N // 5, prm["p"], rng, J=prm["J_mV"], g_I=prm["g_I"])
        J0 = np.zeros((N, N))
        np.add.at(J0, (post, pre), w)
    elif j_scope == "all":
        J0 = gaussian_coupling(N, rng) * frozen_mask("all", sizes)
        J0[: sizes[0]] *= j_visible
    elif j_scope == "none":
        J0 = np.zeros((N, N))
    else:
        J0 = np.zeros((N, N))
        frozen_mask(j_scope, sizes)  # validates
        for sl in layer_slices(sizes)[1:]:
            J0[sl, sl] = gaussian_coupling(sl.stop - sl.start, rng)
    if n_pool:
        J0 = _with_pool(J0, sizes, n_pool, pool_drive, pool_gain, rng)
    return GenerativeNetwork(
        card,
        architecture,
        sizes,
        J0,
        np.zeros((N + n_pool, N + n_pool)),
        np.zeros(N + n_pool),
        float(pick(g, "g")),
        float(pick(tau_ms, "tau_ms")),
        float(pick(dt, "dt")),
        float(pick(T, "T")),
        pick(method, "method"),
        n_pool,
    )


def _with_pool(J0: np.ndarray, sizes, n_pool: int, pool_drive: float, pool_gain: float, rng) -> np.ndarray:
    """J0 of the layers extended by a chaotic pool: pool -> pool N(0, pool_gain^2 / n_pool), pool -> drive
    targets N(0, pool_drive^2 / n_pool), nothing into the pool (drawn after the layers' J0)."""
    n = int(sum(sizes))
    out = np.zeros((n + n_pool, n + n_pool))
    out[:n, :n] = J0
    out[n:, n:] = gaussian_coupling(n_pool, rng, scale=pool_gain)
    first = sizes[0] if len(sizes) > 1 else 0  # the hidden units; the visible ones when there are none
    out[first:n, n:] = rng.normal(0.0, pool_drive / np.sqrt(n_pool), size=(n - first, n_pool))
    return out
