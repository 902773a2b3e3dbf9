"""neurochaos: chaotic, structured and mixed recurrent networks, declared once in Brian2.

Public API::

    from neurochaos import build_network, initial_state, simulate, sweep, RunConfig, get_executor
"""

from . import (
    logs,  # noqa: F401  (the "neurochaos" logger, silent by default)
    sweep,  # a callable package: neurochaos.sweep(task, grid, out=...) runs neurochaos.sweep.sweep
)
from .errors import (
    CheckpointError,
    ConfigError,
    DataError,
    DivergenceError,
    ExecutorUnavailableError,
    ModelError,
    NeurochaosError,
    RunArgsMismatchError,
)
from .executors import RunConfig, Trace, executor_names, get_executor
from .model import (
    ConstantGain,
    PiecewiseLinearGain,
    RateNetwork,
    SineGain,
    SquareGain,
    build_network,
    initial_state,
    list_cards,
    load_card,
)
from .simulate import simulate

__version__ = "0.1.0"

__all__ = [
    "CheckpointError",
    "ConfigError",
    "DataError",
    "DivergenceError",
    "ExecutorUnavailableError",
    "ModelError",
    "NeurochaosError",
    "RunArgsMismatchError",
    "RunConfig",
    "Trace",
    "executor_names",
    "get_executor",
    "ConstantGain",
    "PiecewiseLinearGain",
    "RateNetwork",
    "SineGain",
    "SquareGain",
    "build_network",
    "initial_state",
    "list_cards",
    "load_card",
    "simulate",
    "sweep",
]
