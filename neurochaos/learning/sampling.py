"""Generation by internal chaos, and the largest Lyapunov exponent of a trained network.

Generation integrates the free network (no clamping, no noise) from random
initial states x(0) ~ N(0, 1) and reads the visible rates s = tanh(x) at one
or several read-out times (:func:`generate`: one sample per start), or reads one
or a few long free-running chains at fixed intervals (:func:`stream`: no random
number after the initial states; chaos alone carries the chain from sample to
sample, at a gain that sets the speed, or under gain cycling).
"""

from __future__ import annotations

import math

import numpy as np
from tqdm.auto import tqdm

from ..errors import ConfigError
from ..executors import RunConfig, get_executor
from ..validation import check_choice, check_float, check_int, fail

__all__ = ["generate", "stream", "readout", "largest_lyapunov"]


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
    layers_only: bool = False,
) -> float:
    """Largest Lyapunov exponent of the free network (two-trajectory estimate), averaged over starts.

    Calls :func:`neurochaos.analysis.separation.compute_lambda_max` (two copies
    ``d0`` apart, renormalised every tau) on the card's free dynamics
    (``clamp = 0``) from ``chains`` independent initial states, and averages.

    ``layers_only``: perturb only the layers, not a chaotic pool (which receives nothing from
    them, so it never separates): the conditional exponent of the layers driven by the pool
    (< 0: the layers follow the pool's chaos, whatever their own initial state).

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
            perturb=network.bias_mask if layers_only else None,
        ).lambda_max
        for i in range(chains)
    ]
    return float(np.mean(values))


def _check_period(period, every: float, dt: float, name: str) -> float:
    """A cycle's period: > 0, a multiple of 2 dt, and ``every`` a whole number of periods."""
    period = check_float(period, f"{name} period", low=0.0, low_open=True)
    cycles = every / period
    if abs(cycles - round(cycles)) > 1e-9 * max(1.0, cycles) or round(cycles) < 1:
        fail("every", f"a multiple of the {name.replace('_', ' ')}'s period {period:g} tau", every)
    halves = period / (2 * dt)  # two equal halves of whole steps
    if abs(halves - round(halves)) > 1e-9 * max(1.0, halves) or round(halves) < 1:
        fail(f"{name} period", f"a multiple of 2 dt = {2 * dt:g} tau", period)
    return period


def _drive_cycled(network, rate, drive, x, out, period, every, k_transient, gain, dtype, device, progress):
    """Fill ``out`` (frames, chains, n_visible) from x: each period, half with the pool drive of
    ``drive`` and half with ``network``'s (its rate network ``rate``); a frame every ``every``; ``k_transient`` steps (whole
    cycles; 0: none) first."""
    half = round(period / (2 * network.dt))
    cfg = RunConfig(T=half * network.dt, dt=network.dt, record_every=half, method=network.method, dtype=dtype,
                    device=device)  # fmt: skip
    push, settle = get_executor("torch"), get_executor("torch")
    try:
        push.prepare(drive.rate_network(), cfg)
        settle.prepare(rate, cfg)

        def cycle(x):
            return settle.run(push.run(x, gain=gain).x_final, gain=gain).x_final

        for _ in range(k_transient // (2 * half)):
            x = cycle(x)
        per_frame = round(every / period)
        for i in tqdm(range(len(out)), desc="stream (drive cycle)", unit="frame", disable=not progress):
            for _ in range(per_frame):
                x = cycle(x)
            out[i] = np.tanh(x[:, : network.n_visible])
    finally:
        push.close()
        settle.close()
    return out


def stream(
    network,
    n: int,
    *,
    every: float,
    chains: int = 1,
    g: float | None = None,
    gain_cycle: tuple | None = None,
    drive_cycle: tuple | None = None,
    transient: float | None = None,
    seed: int = 0,
    device: str = "cpu",
    dtype: str = "float64",
    frames_per_run: int = 500,
    progress: bool = False,
) -> np.ndarray:
    """Samples read from ``chains`` long free-running trajectories every ``every`` tau.

    Parameters
    ----------
    network : GenerativeNetwork (rate card)
    n : number of samples in all; each chain gives ``ceil(n / chains)`` frames
    every : time between consecutive samples of a chain, units of tau, a multiple of dt
        (with ``gain_cycle``: a multiple of its period; each sample is read at the end of
        a period, after the low phase)
    chains : independent trajectories (x(0) ~ N(0, 1) from ``seed``: the only random draw)
    g : gain of the frozen random coupling while sampling (default: the trained g)
    gain_cycle : ``(low, high, period)``: the gain is ``high`` for the first half of each
        period (the chain leaves its sample) and ``low`` for the second (it settles into
        the next); replaces ``g``. Units of tau
    drive_cycle : ``(scale, period)``, a network with a chaotic pool only: the pool -> layer weights
        are multiplied by ``scale`` for the first half of each period (the pool pushes the chain out
        of its sample) and by 1 for the second (it settles with the layers as trained); ``every``
        a multiple of the period, one sample at the end of a period. Unlike ``gain_cycle`` it leaves
        the layers' own random coupling alone. Not with ``gain_cycle``
    transient : time run before the first sample, units of tau (default: the network's T)
    frames_per_run : frames integrated per executor run (bounds the memory; the run
        continues from the last state)

    Returns
    -------
    ndarray, shape (n_frames, chains, n_visible): visible rates tanh(x) in (-1, 1), time
    first; ``.reshape(-1, n_visible)[:n]`` gives ``n`` samples in time order per frame

    >>> from neurochaos.learning import build_generative_network
    >>> net = build_generative_network("fu_restricted2", n_visible=4, n_hidden=3, g=3.0)
    >>> stream(net, 10, every=0.5, chains=2).shape
    (5, 2, 4)
    >>> stream(net, 4, every=2.0, gain_cycle=(3.0, 8.0, 1.0)).shape
    (4, 1, 4)
    >>> pooled = build_generative_network("fu_restricted2", n_visible=4, n_hidden=3, n_pool=5, g=3.0)
    >>> stream(pooled, 4, every=2.0, chains=2, drive_cycle=(4.0, 1.0)).shape
    (2, 2, 4)
    """
    from ..model import SquareGain
    from ..resources import check_memory

    n = check_int(n, "n", min_value=1)
    chains = check_int(chains, "chains", min_value=1)
    frames_per_run = check_int(frames_per_run, "frames_per_run", min_value=1)
    if getattr(network, "spiking", False):
        fail("network", "a rate card's network for stream sampling", network.card.name)
    dt = network.dt
    every = check_float(every, "every", low=0.0, low_open=True)
    k_every = round(every / dt)
    if k_every < 1 or abs(k_every * dt - every) > 1e-9 * max(1.0, every):
        fail("every", f"a multiple of dt = {dt:g} tau", every)
    gain = network.g if g is None else check_float(g, "g", low=0.0)
    if gain_cycle is not None:
        if g is not None:
            fail("g", "None when gain_cycle is given (the cycle sets the gain)", g)
        if drive_cycle is not None:
            fail("drive_cycle", "None when gain_cycle is given (cycle the gain or the pool's drive)", drive_cycle)
        try:
            low, high, period = (float(v) for v in gain_cycle)
        except (TypeError, ValueError):
            fail("gain_cycle", "three numbers (low, high, period)", gain_cycle)
        period = _check_period(period, every, dt, "gain_cycle")
        check_float(low, "gain_cycle low", low=0.0)
        if high < low:
            raise ConfigError(
                f"`gain_cycle` must have low <= high (high g to leave a sample, low to settle), got low {low:g} > "
                f"high {high:g}"
            )
        gain = SquareGain(low=low, high=high, period=period, duty=0.5)
    drive = None
    if drive_cycle is not None:
        if not network.n_pool:
            fail("drive_cycle", "None for a network without a chaotic pool (model.n_pool = 0)", drive_cycle)
        try:
            scale, period = (float(v) for v in drive_cycle)
        except (TypeError, ValueError):
            fail("drive_cycle", "two numbers (scale, period)", drive_cycle)
        period = _check_period(period, every, dt, "drive_cycle")
        drive = network.with_pool_drive(check_float(scale, "drive_cycle scale", low=0.0))
    transient = network.T if transient is None else check_float(transient, "transient", low=0.0)
    n_frames = math.ceil(n / chains)
    check_memory(8.0 * n_frames * chains * network.n_visible, f"the stream ({n_frames} frames x {chains} chains)")
    rate = network.rate_network()
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, size=(chains, network.N))
    out = np.empty((n_frames, chains, network.n_visible))
    k_tr = max(1, round(transient / dt)) if transient > 0 else 0
    if k_tr and (gain_cycle is not None or drive is not None):  # whole cycles: each run starts a cycle
        k_tr = max(1, round(k_tr / (period / dt))) * round(period / dt)
    if drive is not None:
        return _drive_cycled(network, rate, drive, x, out, period, every, k_tr, gain, dtype, device, progress)
    ex = get_executor("torch")
    try:
        if k_tr:
            cfg = RunConfig(T=k_tr * dt, dt=dt, record_every=k_tr, method=network.method, dtype=dtype, device=device)
            ex.prepare(rate, cfg)
            x = ex.run(x, gain=gain).x_final
        done = 0
        bar = tqdm(total=n_frames, desc="stream", unit="frame", disable=not progress)
        prepared_for = None
        while done < n_frames:
            m = min(frames_per_run, n_frames - done)
            if prepared_for != m:
                cfg = RunConfig(T=m * k_every * dt, dt=dt, record_every=k_every, method=network.method, dtype=dtype,
                                device=device)  # fmt: skip
                ex.prepare(rate, cfg)
                prepared_for = m
            tr = ex.run(x, gain=gain)
            # record i holds the state at the start of step i * k_every; frame j is read after (j + 1) intervals
            frames = np.concatenate([tr.x[1:], tr.x_final[None]], axis=0) if m > 1 else tr.x_final[None]
            out[done : done + m] = np.tanh(frames[:, :, : network.n_visible])
            x = tr.x_final
            done += m
            bar.update(m)
        bar.close()
    finally:
        ex.close()
    return out
