"""Contrastive Hebbian learning in a restricted 2-layer spiking network, between epochs.

The network is the ``mixed_lif`` card with N = N_v + N_h neurons: its ``rand``
pathway is the frozen sparse E/I random coupling (gain g: the chaotic source of
variability), its ``struct`` pathway holds the learned symmetric
visible-hidden couplings ``w = J_A * A`` (every v-h pair, both directions), and
the learned biases shift the external drive: ``mu = mu_0 + J_b * bias``.

One epoch (no rebuild: every phase is a ``run_args`` rerun of one build):

1. clamped phase: visible neurons driven by a minibatch of +-1 images
   (``mu_on`` for +1, ``mu_off`` for -1), M chains, ``T_ms``;
2. free phase: the whole network from random initial potentials, M chains;
3. rates = spike counts over the last half of each phase, mapped to [-1, 1]
   (``s = 2 r / r_max - 1``, clipped) and passed to the rate module's pure
   :func:`~neurochaos.learning.hebbian.contrastive_update`.

Samples are the visible activities of free-phase chains, binarised by sign.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from ..analysis.spikes import activity
from ..validation import Interval, Validated
from .hebbian import contrastive_update, coupling_mask

__all__ = [
    "SpikingLearningConfig",
    "SpikingLearningResult",
    "SpikingPhaseRunner",
    "build_learning_network",
    "train_spiking",
]


@dataclass(frozen=True)
class SpikingLearningConfig(Validated):
    """Sizes, drives and learning rate (potentials in mV, times in ms).

    Attributes
    ----------
    n_hidden : hidden neurons; n_visible comes from the data (64 for the 8x8 digits)
    chains : M, chains per phase (the minibatch size)
    epochs : training epochs (one clamped + one free phase each)
    T_ms : length of each phase; rates are read over its second half
    k : learning rate of the contrastive update
    J_A_mV : PSP area (mV) of a learned coupling A_ij = 1
    J_b_mV : drive (mV) of a learned bias of 1
    mu_0_mV, mu_on_mV, mu_off_mV : baseline drive; clamped drives of +1 and -1 pixels
    r_max_hz : rate mapped to activity +1
    g : gain of the frozen random coupling
    p, J_mV : connection probability and excitatory PSP area of the random coupling
    n_eval : test images (and free chains) used for the accuracy indices
    """

    n_hidden: int = 36
    chains: int = 40
    epochs: int = 6
    T_ms: float = 100.0
    k: float = 0.5
    J_A_mV: float = 2.0
    J_b_mV: float = 4.0
    mu_0_mV: float = 19.0
    mu_on_mV: float = 30.0
    mu_off_mV: float = 5.0
    r_max_hz: float = 80.0
    g: float = 1.0
    p: float = 0.2
    J_mV: float = 0.6
    seed: int = 0

    _constraints = {
        "n_hidden": Interval(int, 1),
        "chains": Interval(int, 2),
        "epochs": Interval(int, 1),
        "T_ms": Interval(float, 0.0, closed="right"),
        "k": Interval(float, 0.0, closed="right"),
        "J_A_mV": Interval(float),
        "J_b_mV": Interval(float),
        "mu_0_mV": Interval(float),
        "mu_on_mV": Interval(float),
        "mu_off_mV": Interval(float),
        "r_max_hz": Interval(float, 0.0, closed="right"),
        "g": Interval(float, 0.0),
        "p": Interval(float, 0.0, 1.0, closed="right"),
        "J_mV": Interval(float),
        "seed": Interval(int, 0),
    }


@dataclass
class SpikingLearningResult:
    """A, biases and the accuracy indices after each epoch (index 0: before training)."""

    A: np.ndarray
    bias: np.ndarray
    indices: list = field(default_factory=list)
    samples: np.ndarray | None = None
    n_builds: int = 0


def build_learning_network(n_visible: int, cfg: SpikingLearningConfig):
    """The ``mixed_lif`` network of the restricted 2-layer model, and the v-h mask (N, N)."""
    from ..model.card import load_card
    from ..model.connectivity import dense_to_sparse, sparse_ei_connectivity
    from ..model.network import seed_streams
    from ..model.spiking import SpikingNetwork, card_parameters

    card = load_card("mixed_lif")
    N = n_visible + cfg.n_hidden
    mask = coupling_mask("restricted2", (n_visible, cfg.n_hidden))
    (rng,) = seed_streams(cfg.seed, 1)
    prm = card_parameters(card, {"N": N, "p": cfg.p, "J_mV": cfg.J_mV, "g": cfg.g, "mu_mV": cfg.mu_0_mV})
    conns = {
        "struct": dense_to_sparse(np.where(mask, 1.0, 0.0))[:2] + (np.zeros(int(mask.sum())),),
        "rand": sparse_ei_connectivity(N, N - N // 5, cfg.p, rng, J=cfg.J_mV, g_I=prm["g_I"]),
    }
    net = SpikingNetwork(card, N, N - N // 5, conns, np.full(N, cfg.mu_0_mV), cfg.g, prm["tau_ms"], prm, None, cfg.seed)
    return net, mask


def _phase(ex, N: int, r_max_hz: float, v0, mu, weights: dict):
    """Run one phase; activities s (M, N) in [-1, 1] from the spike counts over its second half."""
    tr = ex.run(v0, bias=mu, weights=weights)
    half = tr.duration_ms / 2
    sel = tr.spike_t_ms >= half
    counts = np.zeros((v0.shape[0], N))
    np.add.at(counts, (tr.spike_chain[sel], tr.spike_i[sel]), 1)
    return activity(counts / (half * 1e-3), r_max_hz)


def train_spiking(
    cfg: SpikingLearningConfig | None = None,
    *,
    data=None,
    executor: str = "brian2-cpp",
    progress: bool = False,
) -> SpikingLearningResult:
    """Train the restricted 2-layer spiking model on ``data`` (default: the 8x8 digits).

    Parameters
    ----------
    cfg : SpikingLearningConfig
    data : a :class:`neurochaos.data.Dataset` (+-1 images); default ``load_dataset("digits")``
    executor : ``"brian2-cpp"`` (one build, run_args between phases) or ``"brian2-runtime"``

    Returns
    -------
    SpikingLearningResult with ``indices[e]`` the accuracy indices (dict, lower is better)
    of M free-running samples against test images after e epochs.
    """
    from ..data import load_dataset
    from ..executors import RunConfig, get_executor
    from ..metrics import accuracy_indices

    cfg = cfg or SpikingLearningConfig()
    ds = data if data is not None else load_dataset("digits", seed=cfg.seed)
    x_train, x_test = ds.x_train, ds.x_test[: max(cfg.chains, 2)]
    n_v = x_train.shape[1]
    net, mask = build_learning_network(n_v, cfg)
    N, M = net.N, cfg.chains
    rng = np.random.default_rng(cfg.seed)
    A, bias = np.zeros((N, N)), np.zeros(N)
    pre, post, _ = net.connections["struct"]
    run_cfg = RunConfig(T=cfg.T_ms / net.tau_ms, dt=float(net.params["dt"]), method=net.params["method"])
    result = SpikingLearningResult(A, bias)

    def drive(clamp=None):
        mu = np.tile(cfg.mu_0_mV + cfg.J_b_mV * bias, (M, 1))
        if clamp is not None:
            mu[:, :n_v] = np.where(clamp > 0, cfg.mu_on_mV, cfg.mu_off_mV)
        return mu

    def v0():
        return rng.uniform(net.params["V_r_mV"], net.params["theta_mV"], size=(M, N))

    with get_executor(executor, kind="spiking", record_v=0) as ex:
        ex.prepare(net, run_cfg)

        def evaluate():
            s_free = _phase(ex, N, cfg.r_max_hz, v0(), drive(), {"struct": cfg.J_A_mV * A[post, pre]})
            samples = np.where(s_free[:, :n_v] > 0, 1.0, -1.0)
            result.indices.append(accuracy_indices(x_test, samples, seed=cfg.seed))
            result.samples = samples
            return s_free

        s_f = evaluate()
        for _ in tqdm(range(cfg.epochs), disable=not progress, desc="spiking CHL"):
            batch = x_train[rng.choice(len(x_train), size=M, replace=False)]
            s_c = _phase(ex, N, cfg.r_max_hz, v0(), drive(batch), {"struct": cfg.J_A_mV * A[post, pre]})
            s_c[:, :n_v] = batch  # clamped statistics use the data themselves
            A, bias = contrastive_update(A, bias, s_c, s_f, k=cfg.k, mask=mask)
            s_f = evaluate()  # the free phase of the next step, and the samples of this epoch
        result.n_builds = getattr(ex, "n_builds", 0)
    result.A, result.bias = A, bias
    return result


class SpikingPhaseRunner:
    """The clamped and free phases of a spiking :class:`GenerativeNetwork` on one Brian2 executor.

    The phase-runner protocol of :class:`~neurochaos.learning.phases.PhaseRunner`
    (``clamped_unchecked(network, data)`` -> s (M, N); ``free_unchecked(network, x0)`` ->
    (s, x0)), so :func:`neurochaos.learning.train` trains spiking cards (checkpoints, exact
    resume, ``neurochaos train``). Activities ``s`` in [-1, 1] come from the spike counts of
    each phase's second half (``s = 2 r / r_max_hz - 1``). The clamped phase starts every
    neuron at the midpoint between reset and threshold and drives visible neurons at
    ``mu_on_mV`` / ``mu_off_mV``; its visible activities are the data. The free phase maps
    the policy's N(0, 1) draws ``x0`` to potentials ``V_r + (theta - V_r) Phi(x0)`` (uniform
    between reset and threshold). One build serves every phase (``run_args`` reruns).
    """

    def __init__(self, network, executor: str = "brian2-cpp"):
        from ..executors import RunConfig, get_executor

        self.spiking_net = network.spiking_network()
        self.params = self.spiking_net.params
        self.pre, self.post = self.spiking_net.connections["learn"][:2]
        self.config = RunConfig(T=network.T, dt=network.dt, method=network.method)
        self.executor = get_executor(executor, kind="spiking", record_v=0)
        self.executor.prepare(self.spiking_net, self.config)

    def _run(self, network, v0, mu):
        prm = self.params
        w = float(prm["J_A_mV"]) * network.A[self.post, self.pre]
        return _phase(self.executor, network.N, float(prm["r_max_hz"]), v0, mu, {"learn": w})

    def _drive(self, network, M):
        prm = self.params
        return np.tile(float(prm["mu_mV"]) + float(prm["J_b_mV"]) * network.bias, (M, 1))

    def clamped_unchecked(self, network, data):
        prm, nv = self.params, network.n_visible
        M = data.shape[0]
        mu = self._drive(network, M)
        mu[:, :nv] = np.where(data > 0, float(prm["mu_on_mV"]), float(prm["mu_off_mV"]))
        v0 = np.full((M, network.N), 0.5 * (float(prm["V_r_mV"]) + float(prm["theta_mV"])))
        s = self._run(network, v0, mu)
        s[:, :nv] = data  # the clamped statistics use the data themselves
        return s

    def free_unchecked(self, network, x0):
        from scipy.special import ndtr

        prm = self.params
        lo, hi = float(prm["V_r_mV"]), float(prm["theta_mV"])
        v0 = lo + (hi - lo) * ndtr(x0)
        return self._run(network, v0, self._drive(network, x0.shape[0])), x0

    def close(self):
        self.executor.close()
