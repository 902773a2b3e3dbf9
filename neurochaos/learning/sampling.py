"""Generation by internal chaos, and the largest Lyapunov exponent of a trained network.

Generation integrates the free network (no clamping, no noise) from random
initial states x(0) ~ N(0, 1) and reads the visible rates s = tanh(x) at one
or several read-out times.
"""

from __future__ import annotations

import math

import numpy as np
from tqdm.auto import tqdm

from ..executors import RunConfig, get_executor
from ..validation import check_choice, check_float, check_int, fail

__all__ = ["generate", "readout", "largest_lyapunov"]


def readout(s: np.ndarray, encoding: str = "pm1") -> np.ndarray:
    """Visible rates as samples: ``sign(s)`` (+-1, ties to +1) for "pm1", ``s`` itself for "continuous".

    >>> readout(np.array([-0.2, 0.0, 0.7])).tolist()
    [-1.0, 1.0, 1.0]
    """
    check_choice(encoding, "encoding", ("pm1", "continuous"))
    s = np.asarray(s, dtype=float)
    return np.where(s >= 0, 1.0, -1.0) if encoding == "pm1" else s


def generate(
    network,
    n: int,
    *,
    times=None,
    seed: int = 0,
    executor: str = "torch",
    device: str = "cpu",
    dtype: str = "float64",
    chunk: int = 1000,
    progress: bool = False,
) -> np.ndarray:
    """Sample by integrating the free chaotic dynamics from random initial states.

    Parameters
    ----------
    network : GenerativeNetwork
    n : number of samples (independent chains)
    times : read-out times in units of tau (default: the network's T); each a
        multiple of dt
    seed : seed of the initial states x(0) ~ N(0, 1)
    executor, device, dtype : where to integrate
    chunk : chains integrated at once

    Returns
    -------
    ndarray, shape (len(times), n, n_visible): visible rates tanh(x(t)) in (-1, 1)

    >>> from neurochaos.learning import build_generative_network
    >>> net = build_generative_network("fu_restricted2", n_visible=4, n_hidden=3)
    >>> generate(net, 5, times=[0.5, 1.0]).shape
    (2, 5, 4)
    """
    n = check_int(n, "n", min_value=1)
    chunk = check_int(chunk, "chunk", min_value=1)
    if getattr(network, "spiking", False):
        return _generate_spiking(network, n, times, seed, executor)
    times = [network.T] if times is None else list(np.atleast_1d(times))
    if not times:
        fail("times", "a non-empty list of read-out times", times)
    steps = []
    for t in times:
        t = check_float(float(t), "times", low=0.0, low_open=True)
        k = round(t / network.dt)
        if k < 1 or abs(k * network.dt - t) > 1e-9 * max(1.0, t):
            fail("times", f"multiples of dt = {network.dt} tau", t)
        steps.append(k)
    n_steps = max(steps)
    every = math.gcd(*steps)
    cfg = RunConfig(
        T=n_steps * network.dt, dt=network.dt, record_every=every, method=network.method, dtype=dtype, device=device
    )
    ex = get_executor(executor)
    ex.prepare(network.rate_network(), cfg)
    rng = np.random.default_rng(seed)
    nv = network.n_visible
    out = np.empty((len(times), n, nv))
    starts = range(0, n, chunk)
    starts = tqdm(starts, desc="generate", unit="chunk", disable=not progress)
    try:
        for a in starts:
            m = min(chunk, n - a)
            x0 = rng.normal(0.0, 1.0, size=(m, network.N))
            tr = ex.run(x0)
            for i, k in enumerate(steps):
                x = tr.x_final if k == n_steps else tr.x[k // every]
                out[i, a : a + m] = np.tanh(x[:, :nv])
    finally:
        ex.close()
    return out


def _generate_spiking(network, n: int, times, seed: int, executor: str) -> np.ndarray:
    """Visible activities of ``n`` free spiking chains after T, shape (1, n, n_visible), in [-1, 1].

    One batch of ``n`` chains (one standalone build); read-out over the phase's second half.
    ``executor`` "torch" (the rate default) means brian2-runtime here.
    """
    from .spiking import SpikingPhaseRunner

    if times is not None and list(np.atleast_1d(times)) != [network.T]:
        fail("times", f"[T] = [{network.T}] for a spiking card (rates are read over the phase)", times)
    runner = SpikingPhaseRunner(network, "brian2-runtime" if executor == "torch" else executor)
    try:
        x0 = np.random.default_rng(seed).normal(size=(n, network.N))
        s, _ = runner.free_unchecked(network, x0)
    finally:
        runner.close()
    return s[None, :, : network.n_visible]


def largest_lyapunov(
    network,
    *,
    chains: int = 2,
    T: float = 50.0,
    T_transient: float = 20.0,
    d0: float = 1e-8,
    seed: int = 0,
    device: str = "cpu",
) -> float:
    """Largest Lyapunov exponent of the free network (two-trajectory estimate), averaged over starts.

    Calls :func:`neurochaos.analysis.separation.compute_lambda_max` (two copies
    ``d0`` apart, renormalised every tau) on the card's free dynamics
    (``clamp = 0``) from ``chains`` independent initial states, and averages.

    Returns
    -------
    float, lambda_max in units of 1/tau (> 0: chaotic)

    >>> from neurochaos.learning import build_generative_network
    >>> net = build_generative_network("fu_restricted2", n_visible=100, n_hidden=100, g=3.0)
    >>> largest_lyapunov(net, chains=1, T=10.0, T_transient=5.0) > 0
    True
    """
    from ..analysis.separation import compute_lambda_max

    chains = check_int(chains, "chains", min_value=1)
    rate = network.rate_network()
    values = [
        compute_lambda_max(
            rate,
            T=T,
            t_ons=1.0,
            transient=T_transient,
            d0=d0,
            dt=network.dt,
            method=network.method,
            seed=seed + i,
            device=device,
        ).lambda_max
        for i in range(chains)
    ]
    return float(np.mean(values))
