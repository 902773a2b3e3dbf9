"""The one place neurochaos imports Brian2 from, and the one translation of Brian2's errors.

``import brian2`` replaces ``sys.excepthook`` (its hook prints "Brian 2
encountered an unexpected error" for *any* uncaught exception and keeps its
files), opens a debug log ``brian_debug_*.log`` and copies the running script
to ``brian_script_*.py`` in the temp folder. :func:`load_brian` imports Brian2
once per process, puts the previous hook back, closes and deletes both files
and turns the preferences that make them (``logging.file_log``,
``logging.save_script``) off. :func:`brian_errors` turns Brian2's exceptions
for bad input into neurochaos errors, cause chained.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys

from .errors import ExecutorUnavailableError, ModelError, NeurochaosError

__all__ = ["load_brian", "brian_errors", "brian_error", "one_line"]

_READY = False


def load_brian(submodule: str = ""):
    """``brian2`` (or ``brian2.<submodule>``, e.g. ``"equations.unitcheck"``), imported without Brian2's side effects.

    >>> load_brian().__name__, load_brian("units").__name__
    ('brian2', 'brian2.units')
    """
    if not _READY:
        _import_brian()
    return importlib.import_module(f"brian2.{submodule}") if submodule else sys.modules["brian2"]


def _import_brian() -> None:
    global _READY
    fresh = "brian2" not in sys.modules
    hook = sys.excepthook
    import brian2
    from brian2.utils.logger import BrianLogger, brian_excepthook

    if sys.excepthook is brian_excepthook:  # brian2 imported elsewhere first: Python's own hook
        sys.excepthook = hook if fresh and hook is not brian_excepthook else sys.__excepthook__
    brian2.prefs["logging.file_log"] = False
    brian2.prefs["logging.save_script"] = False
    handler = BrianLogger.file_handler
    if handler is not None:
        logging.getLogger("brian2").removeHandler(handler)
        handler.close()
        BrianLogger.file_handler = None
    log = BrianLogger.tmp_log
    for path in (log, log and f"{log}.1", BrianLogger.tmp_script):
        if path:
            with contextlib.suppress(OSError):
                os.remove(path)
    BrianLogger.tmp_log = BrianLogger.tmp_script = None
    _READY = True


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (a KeyError's without its quotes)."""
    text = exc.args[0] if isinstance(exc, KeyError) and len(exc.args) == 1 else str(exc)
    return " ".join(str(text).replace("\n%", "\n").split())


def _compiler_failure(exc: BaseException) -> bool:
    """Whether ``exc`` comes from compiling generated code (setuptools, distutils, Cython)."""
    module = type(exc).__module__ or ""
    return module.split(".")[0] in ("distutils", "setuptools", "Cython") or type(exc).__name__ in (
        "CompileError",
        "LinkError",
        "CCompilerError",
        "DistutilsExecError",
        "DistutilsPlatformError",
    )


def brian_error(exc: BaseException, what: str) -> NeurochaosError | None:
    """The neurochaos error for a Brian2 exception raised while doing ``what``, or None if it is not Brian2's.

    A ``BrianObjectException`` is unwrapped to its first non-Brian2-wrapper cause
    (the real reason) and names the object. Compiler failures give
    ExecutorUnavailableError; DimensionMismatchError, EquationError,
    UnsupportedEquationsException, SyntaxError, KeyError, ValueError and
    TypeError give ModelError, as does any cause Brian2 wrapped; anything else
    (OSError, MemoryError ... raised directly) is left alone.
    """
    b2 = load_brian()
    from brian2.core.base import BrianObjectException
    from brian2.equations.equations import EquationError
    from brian2.stateupdaters.base import UnsupportedEquationsException

    root, obj = exc, None
    while isinstance(root, BrianObjectException) and root.__cause__ is not None:
        obj, root = root._brian_objname, root.__cause__
    if isinstance(root, NeurochaosError):  # raised by neurochaos code Brian2 called: the same error, unwrapped
        return type(root)(*root.args)
    about = f" (object {obj!r})" if obj else ""
    reason = f"{type(root).__name__}: {one_line(root)}"
    if _compiler_failure(root):
        return ExecutorUnavailableError(f"{what}: Brian2 could not compile the generated code{about}: {reason}")
    bad_input = (b2.DimensionMismatchError, EquationError, UnsupportedEquationsException)
    if obj is not None or isinstance(root, bad_input + (SyntaxError, KeyError, ValueError, TypeError)):
        return ModelError(f"{what}: Brian2 refused the model{about}: {reason}")
    return None


@contextlib.contextmanager
def brian_errors(what: str):
    """Raise :func:`brian_error`'s neurochaos error (``from`` the original) for a Brian2 exception in the block.

    ``what`` starts the message, e.g. ``"brian2-runtime run of models/chaotic_rate.toml"``.
    """
    try:
        yield
    except NeurochaosError:
        raise
    except Exception as exc:
        err = brian_error(exc, what)
        if err is None:
            raise
        raise err from exc
