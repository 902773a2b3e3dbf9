"""One call from a model name to a trajectory."""

from __future__ import annotations

import logging

from .executors import RunConfig, Trace, get_executor
from .model import GainSchedule, build_network, initial_state
from .validation import check_int, in_tau

__all__ = ["simulate"]

_log = logging.getLogger(__name__)


def simulate(
    model: str,
    *,
    N: int | None = None,
    g: float | GainSchedule | None = None,
    T: float = 100.0,
    dt: float | None = None,
    executor: str = "auto",
    chains: int = 1,
    seed: int = 0,
    record_every: int = 1,
    method: str | None = None,
    dtype: str = "float64",
    device: str = "cpu",
    progress: bool = False,
    P: int | None = None,
) -> Trace:
    """Build a network from a model card and simulate it.

    Parameters
    ----------
    model : card name, e.g. ``"chaotic_rate"``; a spiking card (``"chaotic_lif"``) runs on a Brian2
        executor from potentials uniform between reset and threshold and returns a SpikeTrace (mV)
    N, g, P : network size, gain (number or schedule), pattern count (default: the card's)
    T, dt : duration and step in units of tau (dt default: the card's), or Brian2 time
        quantities (``T=200*ms``), divided by the card's tau
    dtype : "float64" or "float32" (or numpy / torch float types); the trace has that dtype
    device : "cpu", "cuda", ... or a ``torch.device``
    executor : executor name (see :func:`neurochaos.executors.executor_names`), or "auto":
        "numpy" for a rate card on the CPU (it imports no torch and is the faster CPU path,
        ``benchmarks/results/peers_vm.json``), "torch" on another device, "brian2-runtime"
        for a spiking card. The trace's ``meta["executor"]`` names the one that ran.
    chains : number of independent chains M, each from its own random x(0) ~ N(0, 1) (rate cards)
    seed : one integer seed: weights, patterns and initial states derive from it
    record_every : keep every k-th step

    Returns
    -------
    Trace with ``t`` (n_records,) in units of tau and ``x`` (n_records, chains, N).

    >>> tr = simulate("chaotic_rate", N=20, g=1.5, T=1.0, dt=0.1)
    >>> tr.x.shape
    (10, 1, 20)
    """
    net = build_network(model, N=N, g=g, seed=seed, P=P)
    prm = net.card.parameters
    T = in_tau(T, "T", net.tau_ms)
    dt = None if dt is None else in_tau(dt, "dt", net.tau_ms)
    config = RunConfig(
        T=T,
        dt=prm.get("dt", 0.1) if dt is None else dt,
        record_every=record_every,
        method=method or prm.get("method", "euler"),
        dtype=dtype,
        device=device,
    )
    chains = check_int(chains, "chains", min_value=1)
    if net.card.kind == "spiking":  # potentials uniform between reset and threshold (mV)
        from .model import initial_potentials

        x0 = initial_potentials(net, chains, seed=seed + 1)
    else:
        x0 = initial_state(net, chains, seed=seed + 1)
    if executor == "auto":
        executor = auto_executor(net.card.kind, config.device)
    _log.info(
        "simulate %s: N = %d, T = %g tau, dt = %g tau, %d chain(s), executor %s, %s on %s",
        net.card.name, net.N, T, config.dt, chains, executor, config.dtype, config.device,
    )  # fmt: skip
    options = {"progress": progress}
    with get_executor(executor, **options) as ex:
        ex.prepare(net, config)
        trace = ex.run(x0)
    trace.meta.update(
        {
            "model": net.card.name,
            "N": net.N,
            "seed": seed,
            "gain": net.gain.to_dict(),
            "T": T,
            "chains": chains,
            "executor": executor,
        }
    )
    return trace


def auto_executor(kind: str, device: str = "cpu") -> str:
    """The executor ``executor="auto"`` picks: numpy for rate cards on the CPU, torch elsewhere, Brian2 for spiking.

    >>> auto_executor("rate"), auto_executor("rate", "cuda"), auto_executor("spiking")
    ('numpy', 'torch', 'brian2-runtime')
    """
    if kind == "spiking":
        return "brian2-runtime"
    return "numpy" if str(device) == "cpu" else "torch"
