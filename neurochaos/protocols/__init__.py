"""Stimulation and modulation protocols run on top of the executors.

Public API::

    from neurochaos.protocols import GainCycle, Epoch, run_gain_protocol, run_gain_cycle, build_memory_network
"""

from .gain import (
    Epoch,
    GainCycle,
    GainCycleResult,
    GainRun,
    build_memory_network,
    run_gain_cycle,
    run_gain_protocol,
)

__all__ = [
    "Epoch",
    "GainCycle",
    "GainCycleResult",
    "GainRun",
    "build_memory_network",
    "run_gain_cycle",
    "run_gain_protocol",
]
