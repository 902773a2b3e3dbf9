"""What runs on the Dask workers: the per-worker setup plugin and the per-point wrapper around a task.

Imports ``distributed``; the driver imports this module only when a sweep runs.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from pathlib import Path

from distributed import WorkerPlugin

from ..validation import fail
from .cluster import pin_threads

__all__ = ["WorkerSetup", "run_point"]

_SCALARS = (bool, int, float, str)


class WorkerSetup(WorkerPlugin):
    """On each worker, in its main thread: pin BLAS / torch threads to ``threads`` and import Brian2.

    Brian2 installs a SIGINT handler when imported, which Python allows only in the
    main thread; tasks run in a worker's executor thread, so it is imported here
    first. :func:`neurochaos.sweep.connect` registers it on every cluster, and
    workers that join later run it too.
    """

    name = "neurochaos-sweep-setup"

    def __init__(self, threads: int = 1):
        self.threads = threads

    def setup(self, worker):
        from ..brian_import import load_brian

        pin_threads(self.threads)
        load_brian()


def _plain(value):
    """A metric value as a Python scalar (numpy scalars unwrapped), or raise."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    if value is None or isinstance(value, _SCALARS):
        return value
    raise TypeError(f"{type(value).__name__}")


def _check_metrics(metrics, task: str, reserved) -> dict:
    if not isinstance(metrics, dict):
        fail("task", f"a function returning a dict of metrics ({task!r} returned a {type(metrics).__name__})", metrics)
    out = {}
    for name, value in metrics.items():
        if not isinstance(name, str) or not name or name in reserved:
            fail(f"{task} metric", f"a name other than the table's own columns ({', '.join(reserved)})", name)
        try:
            out[name] = _plain(value)
        except TypeError as exc:
            fail(f"{task} metric {name!r}", "a number, string, boolean or None (write arrays to workdir)", f"a {exc}")
    return out


def run_point(task_name: str, params: dict, seed: int, workdir: str, threads: int, reserved: tuple) -> dict:
    """Run one point on a worker: pin threads, call the task, time it; an exception becomes the error.

    Returns
    -------
    dict with ``metrics`` (dict), ``error`` (None or "Type: message"), ``traceback``,
    ``wall_s`` (seconds in the task) and ``worker`` ("host:pid")
    """
    from .cluster import pin_threads
    from .tasks import resolve_task

    pin_threads(threads)
    t0 = time.perf_counter()
    error = tb = None
    try:
        task = resolve_task(task_name)
        kwargs = dict(params)
        if task.takes_seed:
            kwargs["seed"] = seed
        if task.takes_workdir:
            Path(workdir).mkdir(parents=True, exist_ok=True)
            kwargs["workdir"] = Path(workdir)
        metrics = _check_metrics(task.fn(**kwargs), task_name, reserved)
    except Exception as exc:  # recorded in the table; the sweep goes on
        metrics, error, tb = {}, f"{type(exc).__name__}: {exc}"[:4000], traceback.format_exc()
    return {
        "metrics": metrics,
        "error": error,
        "traceback": tb,
        "wall_s": time.perf_counter() - t0,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
