"""The ``neurochaos`` logger: what long work is doing, silent unless asked.

Every module logs to a child of the ``"neurochaos"`` logger (``logging.getLogger(__name__)``).
The library adds only a :class:`logging.NullHandler`, so nothing is printed unless the
application configures logging (``logging.basicConfig(level=logging.INFO)``) or the CLI is
run with ``-v`` (INFO: executor chosen, builds, checkpoints, chaos probes, evaluations) or
``-vv`` (DEBUG). ``-q`` shows errors only and hides the progress bars.

>>> import logging
>>> logging.getLogger("neurochaos").handlers[0].__class__.__name__
'NullHandler'
"""

from __future__ import annotations

import logging
import sys

__all__ = ["LOGGER_NAME", "configure", "level_for"]

LOGGER_NAME = "neurochaos"
logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())

_HANDLER_NAME = "neurochaos-cli"


class _StderrHandler(logging.StreamHandler):
    """A StreamHandler that writes to the current ``sys.stderr`` (replaced by pytest, Jupyter, ...)."""

    def emit(self, record):
        self.stream = sys.stderr
        super().emit(record)


def level_for(verbose: int, quiet: bool) -> int:
    """The logging level of ``-v`` given ``verbose`` times and of ``-q``.

    >>> [logging.getLevelName(level_for(v, False)) for v in (0, 1, 2)], logging.getLevelName(level_for(0, True))
    (['WARNING', 'INFO', 'DEBUG'], 'ERROR')
    """
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def configure(level: int, stream=None) -> logging.Handler:
    """Send ``neurochaos`` records of ``level`` and above to ``stream`` (stderr), replacing an earlier call's handler."""
    log = logging.getLogger(LOGGER_NAME)
    for h in list(log.handlers):
        if h.get_name() == _HANDLER_NAME:
            log.removeHandler(h)
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    return handler
