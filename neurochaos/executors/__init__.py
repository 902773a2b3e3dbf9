"""Where a model runs: Brian2 runtime, Brian2 cpp_standalone, brian2cuda, torch, numpy.

Executors import models, never the reverse. Each executor module imports its
heavy dependency (brian2, torch) only when used. One registry: one class per
name, declaring the card ``kinds`` it runs; ``prepare`` dispatches on the
network's kind (docs/architecture.md).
"""

from . import brian_cuda, brian_runtime, brian_standalone, numpy_engine, torch_engine  # noqa: F401  (registration)
from .base import Executor, RunConfig, RunInputs, Trace, executor_names, get_executor, register, resolve_run_inputs

__all__ = [
    "Executor",
    "RunConfig",
    "RunInputs",
    "Trace",
    "executor_names",
    "get_executor",
    "register",
    "resolve_run_inputs",
]
