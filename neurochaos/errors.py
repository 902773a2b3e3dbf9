"""Every error neurochaos raises.

Each error derives from :class:`NeurochaosError` *and* from a builtin, so code
that catches ``ValueError`` or ``RuntimeError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "NeurochaosError",
    "ConfigError",
    "ModelError",
    "ExecutorUnavailableError",
    "RunArgsMismatchError",
    "DivergenceError",
    "CheckpointError",
    "DataError",
    "OutputLockedError",
    "ResourceError",
    "RunInterrupted",
]


class NeurochaosError(Exception):
    """Base class of all neurochaos errors."""


class ConfigError(NeurochaosError, ValueError):
    """A parameter or configuration value is out of its allowed range."""


class ModelError(NeurochaosError, ValueError):
    """A model card or its equations are malformed or unsupported."""


class ExecutorUnavailableError(NeurochaosError, RuntimeError):
    """An executor cannot run here (missing package, compiler or GPU)."""


class RunArgsMismatchError(NeurochaosError, RuntimeError):
    """A standalone run did not use the values passed through ``run_args``.

    Brian2 only prints to stderr when a ``run_args`` file is wrong, and
    brian2cuda 1.0b1 ignores arrays of objects whose names contain capitals;
    neurochaos reads every value back after a run and raises this error when
    one differs.
    """


class DivergenceError(NeurochaosError, FloatingPointError):
    """A simulated variable became NaN or infinite."""


class CheckpointError(NeurochaosError, OSError):
    """A checkpoint is missing, corrupt or does not match the configuration."""


class DataError(NeurochaosError, ValueError):
    """A dataset is missing, empty, corrupt or of the wrong shape."""


class OutputLockedError(NeurochaosError, RuntimeError):
    """An output folder is held by another live run (its lock names the owner)."""


class ResourceError(NeurochaosError, MemoryError):
    """A run would need more memory than the machine has; refused before allocating."""


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by SIGINT or SIGTERM after saving its state (``signum``; ``saved``: what was written).

    A :class:`KeyboardInterrupt`, not a :class:`NeurochaosError`, so that
    ``except Exception`` or ``except NeurochaosError`` never swallows a Ctrl-C.
    """

    def __init__(self, message: str, signum: int, saved=None):
        super().__init__(message)
        self.signum = signum
        self.saved = saved
