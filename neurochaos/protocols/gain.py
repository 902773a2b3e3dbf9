"""Gain-modulation protocol: run a network under g(t), within or between simulation epochs.

Two ways to change the gain (Chaudhuri & Handebagh 2024, architecture 2):

- **within one epoch**: one :class:`~neurochaos.model.GainSchedule` (constant,
  square, sine, piecewise-linear) handed to the executor, which samples it
  every step (Brian2 ``TimedArray`` / identical samples in torch);
- **between epochs**: a sequence of :class:`Epoch` (duration, gain), each run
  separately, the final state of one being the initial state of the next.

:class:`GainCycle` is the square-wave convenience (``high`` for the first
``duty`` fraction of each period, then ``low``), and :func:`run_gain_cycle`
runs it on a structured (+ random) card and summarises the memory dynamics.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..analysis.memory import (
    compute_orthogonal_activity,
    compute_overlaps,
    count_memories_per_cycle,
    count_switches,
    identify_memory,
    measure_settling_time,
    memory_at_times,
)
from ..errors import ConfigError
from ..executors import RunConfig, get_executor
from ..model import (
    GainSchedule,
    ModelCard,
    RateNetwork,
    SquareGain,
    as_schedule,
    build_network,
    initial_state,
    load_card,
)
from ..model.schedule import GainLike
from ..validation import check_finite_array, check_float, check_int, fail

__all__ = [
    "GainCycle",
    "Epoch",
    "GainRun",
    "build_memory_network",
    "run_gain_protocol",
    "run_gain_cycle",
    "GainCycleResult",
]


@dataclass(frozen=True)
class GainCycle(SquareGain):
    """Square-wave gain cycling: a :class:`~neurochaos.model.SquareGain` with a number of cycles.

    ``high`` for the first ``duty`` of each period, then ``low``; each cycle ends in its
    low phase, so the network explores first and then settles. Defined for
    ``period * cycles`` (its ``duration``). Times in units of tau.

    >>> c = GainCycle(low=1, high=8, period=50, duty=0.5, cycles=3)
    >>> c.T, c.drop_times.tolist(), c.sample(2, 25.0).tolist()
    (150.0, [25.0, 75.0, 125.0], [8.0, 1.0])
    """

    cycles: int = 1

    def __post_init__(self):
        super().__post_init__()
        check_float(self.duty, "duty", low=0.0, high=1.0, low_open=True, high_open=True)
        check_int(self.cycles, "cycles", min_value=1)
        if self.phase != 0:
            fail("phase", "0 for a GainCycle (cycles start at t = 0)", self.phase)

    @property
    def duration(self) -> float:
        return self.T

    @property
    def schedule(self) -> SquareGain:
        """The cycle as an endless :class:`~neurochaos.model.SquareGain` (same wave)."""
        return SquareGain(low=self.low, high=self.high, period=self.period, duty=self.duty)

    @property
    def T(self) -> float:
        """Run length, ``period * cycles`` (units of tau)."""
        return float(self.period * self.cycles)

    @property
    def drop_times(self) -> np.ndarray:
        """Times the gain drops from high to low, shape (cycles,), units of tau."""
        return (np.arange(self.cycles) + self.duty) * self.period

    @property
    def end_times(self) -> np.ndarray:
        """Ends of the low phases (= ends of the cycles), shape (cycles,), units of tau."""
        return (np.arange(self.cycles) + 1.0) * self.period

    def to_dict(self) -> dict:
        return {"low": self.low, "high": self.high, "period": self.period, "duty": self.duty, "cycles": self.cycles}


@dataclass(frozen=True)
class Epoch:
    """One simulation epoch: a duration (units of tau) and a gain (number >= 0 or schedule).

    >>> Epoch(10.0, 3.0).gain
    ConstantGain(value=3.0)
    """

    T: float
    gain: GainLike

    def __post_init__(self):
        check_float(self.T, "epoch T", low=0.0, low_open=True)
        object.__setattr__(self, "gain", as_schedule(self.gain))
        _check_covers(self.gain, self.T)


def _check_covers(schedule: GainSchedule, T: float):
    if schedule.duration < T * (1 - 1e-12):
        fail("T", f"<= the gain schedule's duration {schedule.duration:g} tau ({type(schedule).__name__})", T)


@dataclass
class GainRun:
    """A trajectory under a gain protocol.

    Attributes
    ----------
    t : ndarray, shape (n_rec,), units of tau
    x : ndarray, shape (n_rec, M, N), state at each record
    gains : ndarray, shape (n_rec,), gain in force at each record
    x_final : ndarray, shape (M, N), state after the last step
    network : the RateNetwork that was run (patterns in ``network.patterns``)
    meta : settings (dt, method, epochs, executor, seconds ...)
    """

    t: np.ndarray
    x: np.ndarray
    gains: np.ndarray
    x_final: np.ndarray
    network: RateNetwork
    meta: dict = field(default_factory=dict)


def build_memory_network(
    model: str = "mixed_rate",
    *,
    N: int = 200,
    P: int = 10,
    patterns=None,
    g: GainLike = 0.0,
    structure: float | None = None,
    seed: int = 0,
) -> RateNetwork:
    """A structured (+ random) network whose hopfield pathways are scaled by ``structure``.

    ``W_total = structure * (1/N) sum xi xi^T + g * W_rand`` for ``mixed_rate``.
    ``structure`` None takes the card's parameter ``J_s`` (3 in mixed_rate, chosen
    from a measured scan so that g = 0 retrieves and g >= 3 explores; 1 in
    hopfield_rate, whose gain scales the whole coupling). ``J_s`` = 1 is the spec's
    documented ``W_struct``, which sits at the retrieval threshold of tanh units
    (m = tanh(m) has only m = 0), so retrieval at unit gain needs ``structure`` > 1
    (docs/gain_modulation.md).

    Parameters
    ----------
    model : card name with at least one ``hopfield`` pathway (mixed_rate, hopfield_rate)
    N, P : network size and number of random +-1 patterns (P < N)
    patterns : explicit patterns, shape (P, N), instead of random ones
    g : gain (number >= 0 or schedule)
    structure : strength of the structured coupling, > 0 (None: the card's ``J_s``)
    seed : seed of patterns and random weights

    >>> net = build_memory_network(N=40, P=3, seed=1)
    >>> from neurochaos.model import hopfield_coupling
    >>> net.patterns.shape, bool(np.allclose(net.weights["struct"], 3.0 * hopfield_coupling(net.patterns)))
    ((3, 40), True)
    """
    card = model if isinstance(model, ModelCard) else load_card(model)
    card_js = float(card.parameters.get("J_s", 1.0))
    structure = card_js if structure is None else check_float(structure, "structure", low=0.0, low_open=True)
    if patterns is not None:
        patterns = check_finite_array(patterns, "patterns", shape=(None, check_int(N, "N", min_value=1)))
    hop = [p.name for p in card.pathways if p.recipe == "hopfield"]
    if not hop:
        raise ConfigError(f"`model` must have a hopfield pathway (stored patterns), got {card.name!r}")
    net = build_network(card, N=N, g=g, seed=seed, P=None if patterns is not None else P, patterns=patterns)
    scaled = net.with_weights(**{k: (structure / card_js) * net.weights[k] for k in hop})
    scaled.meta.update({"structure": structure, "seed": seed})
    return scaled


def _epochs(protocol, T) -> list[Epoch]:
    if isinstance(protocol, GainCycle):
        T = protocol.T if T is None else T
        sched = protocol.schedule
        _check_covers_cycle(protocol, T)
        return [Epoch(T, sched)]
    if isinstance(protocol, GainSchedule | int | float) and not isinstance(protocol, bool):
        sched = as_schedule(protocol)
        if T is None:
            if math.isinf(sched.duration):
                raise ConfigError("`T` must be given for a schedule without an end, got None")
            T = sched.duration
        return [Epoch(T, sched)]
    if isinstance(protocol, Sequence) and len(protocol) > 0:
        eps = [e if isinstance(e, Epoch) else Epoch(*e) for e in protocol]
        if T is not None and abs(sum(e.T for e in eps) - T) > 1e-9:
            fail("T", f"the sum of the epoch durations {sum(e.T for e in eps):g}", T)
        return eps
    fail("protocol", "a GainCycle, a GainSchedule, a number or a non-empty list of Epoch", type(protocol).__name__)


def _check_covers_cycle(cycle: GainCycle, T: float):
    if T > cycle.T * (1 + 1e-12):
        fail("T", f"<= the gain cycle's length {cycle.T:g} tau ({cycle.cycles} cycles of {cycle.period:g})", T)


def run_gain_protocol(
    network: RateNetwork,
    protocol,
    *,
    T: float | None = None,
    x0=None,
    chains: int = 1,
    seed: int = 0,
    dt: float | None = None,
    method: str | None = None,
    record_every: int = 1,
    executor: str = "torch",
    progress: bool = False,
) -> GainRun:
    """Run ``network`` under a gain protocol.

    Parameters
    ----------
    network : RateNetwork (e.g. from :func:`build_memory_network`)
    protocol : GainCycle, GainSchedule or number (one epoch, gain changed within it), or a
        list of :class:`Epoch` / ``(T, gain)`` pairs (gain changed between epochs; the final
        state of each epoch starts the next)
    T : run length, units of tau (default: the cycle's or schedule's length); must not exceed it
    x0 : initial states, shape (M, N) (default: ``chains`` draws of N(0, 1) from ``seed``)
    chains, seed : number of chains and seed of x0
    dt, method : step (units of tau) and integrator (default: the card's)
    record_every : keep every k-th step
    executor : executor name

    Returns
    -------
    GainRun with ``x`` of shape (n_rec, M, N)

    >>> net = build_memory_network(N=30, P=2, seed=0)
    >>> run = run_gain_protocol(net, [Epoch(1.0, 0.0), Epoch(1.0, 5.0)], chains=2)
    >>> run.x.shape, run.gains[[0, -1]].tolist()
    ((20, 2, 30), [0.0, 5.0])
    """
    eps = _epochs(protocol, T)
    prm = network.card.parameters
    dt = check_float(prm.get("dt", 0.1) if dt is None else dt, "dt", low=0.0, high=1.0, low_open=True, high_open=True)
    x = initial_state(network, chains, seed=seed) if x0 is None else x0
    x = check_finite_array(x, "x0", shape=(None, network.N))
    ts, xs, gs, info = [], [], [], []
    offset, seconds = 0.0, 0.0
    ex = get_executor(executor, **({"progress": progress} if executor == "torch" else {}))
    prepared_T = None
    with ex:
        for ep in eps:
            cfg = RunConfig(T=ep.T, dt=dt, record_every=record_every, method=method or prm.get("method", "euler"))
            if prepared_T != ep.T:
                ex.prepare(network.with_gain(ep.gain), cfg)
                prepared_T = ep.T
            t0 = time.perf_counter()
            tr = ex.run(x, gain=ep.gain)
            seconds += time.perf_counter() - t0
            ts.append(tr.t + offset)
            xs.append(tr.x)
            gs.append(ep.gain.values(tr.t))
            info.append({"T": ep.T, "gain": ep.gain.to_dict(), "start": offset})
            x = tr.x_final
            offset += cfg.n_steps * dt
    meta = {
        "dt": dt,
        "method": method or prm.get("method", "euler"),
        "record_every": record_every,
        "executor": executor,
        "epochs": info,
        "chains": int(x.shape[0]),
        "seed": seed,
        "seconds": seconds,
    }
    return GainRun(np.concatenate(ts), np.concatenate(xs), np.concatenate(gs), x, network, meta)


@dataclass
class GainCycleResult:
    """Memory dynamics under gain cycling.

    Attributes
    ----------
    summary : JSON-able dict: memories_visited (distinct memories over the run, chain mean),
        memories_per_cycle (mean distinct memories per cycle), distinct_settled (distinct
        memories at the ends of the low phases, chain mean), switches, switches_per_tau,
        settled_fraction, settling_time (mean, tau), overlaps_final ((M, P) list), settings
    run : the GainRun
    overlaps : ndarray, shape (n_rec, M, P)
    orthogonal : ndarray, shape (n_rec, M)
    labels : ndarray of int, shape (n_rec, M), closest memory (-1 between)
    """

    summary: dict
    run: GainRun
    overlaps: np.ndarray
    orthogonal: np.ndarray
    labels: np.ndarray


def run_gain_cycle(
    model: str = "mixed_rate",
    *,
    N: int = 200,
    P: int = 10,
    patterns=None,
    g_low: float = 1.0,
    g_high: float = 8.0,
    period: float = 50.0,
    duty: float = 0.5,
    cycles: int = 20,
    structure: float | None = None,
    seed: int = 0,
    chains: int = 1,
    threshold: float = 0.5,
    settle_threshold: float = 0.9,
    dt: float | None = None,
    record_every: int = 5,
    executor: str = "torch",
    progress: bool = False,
) -> GainCycleResult:
    """Cycle the gain of a structured + random network and count the memories it visits.

    Builds :func:`build_memory_network` (weights and patterns from ``seed``,
    x(0) ~ N(0, 1) from ``seed + 1``), runs :class:`GainCycle` and analyses
    the overlaps (:mod:`neurochaos.analysis.memory`): a memory is the closest
    pattern up to sign with ``|m| >= threshold``; settling uses ``settle_threshold``.

    >>> res = run_gain_cycle(N=40, P=2, period=4.0, cycles=2, seed=0)
    >>> sorted(res.summary)[:4], res.overlaps.shape
    (['distinct_settled', 'memories_per_cycle', 'memories_visited', 'overlaps_final'], (16, 1, 2))
    """
    cycle = GainCycle(low=g_low, high=g_high, period=period, duty=duty, cycles=cycles)
    threshold = check_float(threshold, "threshold", low=0.0, high=1.0, low_open=True)
    settle_threshold = check_float(settle_threshold, "settle_threshold", low=0.0, high=1.0, low_open=True)
    net = build_memory_network(model, N=N, P=P, patterns=patterns, g=cycle.schedule, structure=structure, seed=seed)
    run = run_gain_protocol(
        net, cycle, chains=chains, seed=seed + 1, dt=dt, record_every=record_every, executor=executor, progress=progress
    )
    m = compute_overlaps(run.x, net.patterns)
    labels, _ = identify_memory(m, threshold)
    per_cycle = count_memories_per_cycle(labels, run.t, period)
    visited = [len(np.unique(labels[labels[:, c] >= 0, c])) for c in range(labels.shape[1])]
    settled = memory_at_times(labels, run.t, cycle.end_times - run.meta["dt"] * record_every / 2)
    settle = measure_settling_time(m, run.t, cycle.drop_times, until=cycle.end_times, threshold=settle_threshold)
    switches = count_switches(labels)
    m_final = compute_overlaps(run.x_final, net.patterns)
    summary = {
        "memories_visited": float(np.mean(visited)),
        "memories_per_cycle": float(per_cycle.mean()),
        "distinct_settled": float(np.mean([len(np.unique(s[s >= 0])) for s in settled.T])),
        "switches": switches.tolist(),
        "switches_per_tau": float(switches.mean() / cycle.T),
        "settled_fraction": float(np.mean(~np.isnan(settle))),
        "settling_time": float(np.nanmean(settle)) if np.any(~np.isnan(settle)) else None,
        "overlaps_final": m_final.round(4).tolist(),
        "settled_memories": settled.tolist(),
        "settings": {
            "model": net.card.name,
            "N": net.N,
            "P": int(net.patterns.shape[0]),
            "structure": net.meta["structure"],
            "cycle": cycle.to_dict(),
            "T": cycle.T,
            "seed": seed,
            "chains": chains,
            "threshold": threshold,
            "settle_threshold": settle_threshold,
            "dt": run.meta["dt"],
            "record_every": record_every,
            "executor": executor,
            "seconds": run.meta["seconds"],
        },
    }
    return GainCycleResult(summary, run, m, compute_orthogonal_activity(run.x, net.patterns), labels)
