"""Parameter sweeps on Dask: from a laptop (LocalCluster) to a running scheduler or SLURM (dask-jobqueue).

A sweep runs one *task* (a built-in name or an importable ``"module:function"``)
at every point of a *grid* (named axes, explicit points, replicates), on Dask
workers of one thread each, and writes one row per point to a Parquet table in
its output folder, as points finish. Finished points are skipped on rerun.
See ``docs/sweeps.md``.

Public API::

    from neurochaos.sweep import sweep, Grid, load_spec, read_table, summarise, task_names

This package is itself callable: ``neurochaos.sweep(task, grid, out=...)`` is
``neurochaos.sweep.sweep(task, grid, out=...)`` (the module's class is a
``ModuleType`` subclass with ``__call__``), so ``neurochaos.sweep`` stays the
package for imports and patching (``neurochaos.sweep.table``) and is the one
entry point too.

Modules: ``grid`` (axes, keys, seeds), ``tasks`` (registry and parameter checks),
``builtin_tasks``, ``spec`` (spec files), ``table`` (the results table), ``cluster``
(where it runs), ``driver`` (the run), ``summary`` (aggregation for figures).
Dask is imported only when a sweep runs.
"""

import sys
import types

from .cluster import SlurmConfig, connect, load_slurm_config, local_cluster, pin_threads
from .driver import SweepResult, sweep
from .grid import REPLICATE, Grid, Point, point_key, point_seed
from .spec import SweepSpec, load_spec, make_spec
from .summary import SweepSummary, summarise
from .table import read_rows, read_table
from .tasks import Task, register_task, resolve_task, task_names


class _CallablePackage(types.ModuleType):
    """The class of this package's module object: calling the package runs :func:`sweep`."""

    def __call__(self, *args, **kwargs) -> SweepResult:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage

__all__ = [
    "REPLICATE",
    "Grid",
    "Point",
    "SlurmConfig",
    "SweepResult",
    "SweepSpec",
    "SweepSummary",
    "Task",
    "connect",
    "load_slurm_config",
    "load_spec",
    "local_cluster",
    "make_spec",
    "pin_threads",
    "point_key",
    "point_seed",
    "read_rows",
    "read_table",
    "register_task",
    "resolve_task",
    "summarise",
    "sweep",
    "task_names",
]
