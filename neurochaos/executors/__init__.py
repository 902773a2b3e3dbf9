"""Where a model runs: Brian2 runtime, Brian2 cpp_standalone, brian2cuda, torch.

Executors import models, never the reverse. Each executor module imports its
heavy dependency (brian2, torch) only when used.
"""

from . import brian_cuda, brian_runtime, brian_spiking, brian_standalone, torch_engine  # noqa: F401  (registration)
from .base import Executor, RunConfig, Trace, executor_names, get_executor, register

__all__ = ["Executor", "RunConfig", "Trace", "executor_names", "get_executor", "register"]
