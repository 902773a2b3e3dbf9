"""A chaotic reservoir as the latent source of a generator (Chaudhuri & Handebagh 2024, architecture 1).

The reservoir is a random rate network (``chaotic_rate`` card) run freely by
the torch engine; a fixed sparse random projection ``P`` (k x N, each latent
unit reads ``fan_in`` reservoir units: an expander-like bipartite graph) maps
its rates to latents ``z = P tanh(h)``. Training latents come from a bank of
reservoir states after a transient; at sampling time the reservoir runs at
any gain and is read every ``every`` tau.
"""

from __future__ import annotations

import math

import numpy as np

from ..executors import RunConfig, get_executor
from ..model import RateNetwork, build_network, initial_state, seed_streams
from ..validation import check_float, check_int, fail

__all__ = ["sparse_projection", "build_reservoir", "latent_bank", "stream_latents"]


def sparse_projection(k: int, N: int, *, fan_in: int = 4, seed: int = 0) -> np.ndarray:
    """A fixed sparse random read-out: each of ``k`` latent units reads ``fan_in`` reservoir units.

    Reservoir units are spread as evenly as possible (disjoint sets when
    ``k * fan_in <= N``; otherwise each unit is read at most
    ``ceil(k * fan_in / N)`` times); weights are random signs over
    ``sqrt(fan_in)``, so ``z`` has about the variance of one rate.

    Returns
    -------
    ndarray, shape (k, N), float64, ``fan_in`` nonzeros per row

    >>> P = sparse_projection(3, 10, fan_in=2, seed=0)
    >>> P.shape, (P != 0).sum(axis=1).tolist(), int(((P != 0).sum(axis=0) > 1).sum())
    ((3, 10), [2, 2, 2], 0)
    """
    k = check_int(k, "k", min_value=1)
    N = check_int(N, "N", min_value=1)
    fan_in = check_int(fan_in, "fan_in", min_value=1)
    if fan_in > N:
        fail("fan_in", f"<= N = {N}", fan_in)
    (rng,) = seed_streams(seed, 1)
    reps = math.ceil(k * fan_in / N)
    pool = np.concatenate([rng.permutation(N) for _ in range(reps)])
    P = np.zeros((k, N))
    for i in range(k):
        cols = pool[i * fan_in : (i + 1) * fan_in]
        if len(set(cols.tolist())) < fan_in:  # a repeat across permutation borders: redraw this row
            cols = rng.choice(N, size=fan_in, replace=False)
        P[i, cols] = rng.choice([-1.0, 1.0], size=fan_in) / math.sqrt(fan_in)
    return P


def build_reservoir(N: int = 500, g: float = 4.0, *, seed: int = 0, model: str = "chaotic_rate") -> RateNetwork:
    """The chaotic reservoir: a ``chaotic_rate`` network (weights from ``seed``)."""
    return build_network(model, N=N, g=g, seed=seed)


def _run(net: RateNetwork, x0, T: float, dt: float, record_every: int, g=None, progress=False):
    cfg = RunConfig(T=T, dt=dt, record_every=record_every)
    ex = get_executor("torch", progress=progress)
    ex.prepare(net, cfg)
    return ex.run(x0, gain=g)


def latent_bank(
    reservoir: RateNetwork,
    P: np.ndarray,
    n: int,
    *,
    chains: int = 50,
    transient: float = 100.0,
    spacing: float = 1.0,
    dt: float = 0.05,
    seed: int = 0,
    progress: bool = False,
) -> np.ndarray:
    """Training latents ``z = P tanh(h)`` from the reservoir at its own gain, after a transient.

    ``chains`` independent starts (x(0) ~ N(0, 1) from ``seed``) are run for
    ``transient`` tau, then read every ``spacing`` tau until ``n`` latents are
    collected.

    Returns
    -------
    ndarray, shape (n, k), float32

    >>> res = build_reservoir(40, 4.0, seed=0)
    >>> latent_bank(res, sparse_projection(5, 40), 12, chains=4, transient=2.0, spacing=0.5).shape
    (12, 5)
    """
    n = check_int(n, "n", min_value=1)
    chains = check_int(chains, "chains", min_value=1)
    spacing = check_float(spacing, "spacing", low=0.0, low_open=True)
    every = max(1, int(round(spacing / dt))) * dt
    per_chain = math.ceil(n / chains)
    z = stream_latents(
        reservoir, P, g=None, T=per_chain * every, every=every, dt=dt, chains=chains,
        transient=transient, seed=seed, progress=progress,
    )  # fmt: skip
    return z.reshape(-1, P.shape[0])[:n]


def stream_latents(
    reservoir: RateNetwork,
    P: np.ndarray,
    *,
    g: float | None,
    T: float,
    every: float = 0.15,
    dt: float = 0.05,
    chains: int = 8,
    transient: float = 100.0,
    seed: int = 0,
    progress: bool = False,
) -> np.ndarray:
    """Latents read from the freely running reservoir at gain ``g`` (None: its own) every ``every`` tau.

    Returns
    -------
    ndarray, shape (n_frames, chains, k), float32, ``n_frames = round(T / every)``; time first

    >>> res = build_reservoir(40, 4.0, seed=0)
    >>> stream_latents(res, sparse_projection(5, 40), g=8.0, T=1.5, chains=2, transient=1.0).shape
    (10, 2, 5)
    """
    g = None if g is None else check_float(g, "g", low=0.0)
    chains = check_int(chains, "chains", min_value=1)
    transient = check_float(transient, "transient", low=0.0)
    T = check_float(T, "T", low=0.0, low_open=True)
    every = check_float(every, "every", low=0.0, low_open=True)
    k_every = int(round(every / dt))
    if k_every < 1 or abs(k_every * dt - every) > 1e-9:
        fail("every", f"a multiple of dt = {dt:g} tau", every)
    x0 = initial_state(reservoir, chains, seed=seed)
    if transient > 0:
        x0 = _run(reservoir, x0, transient, dt, 1_000_000, g=g, progress=progress).x_final
    n_frames = int(round(T / every))
    tr = _run(reservoir, x0, n_frames * every, dt, k_every, g=g, progress=progress)
    return (np.tanh(tr.x[:n_frames]) @ P.T).astype(np.float32)
