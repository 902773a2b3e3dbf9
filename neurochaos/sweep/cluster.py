"""Where a sweep runs: a Dask ``LocalCluster`` (default), a running scheduler's address, or SLURM via dask-jobqueue.

Every worker runs one task at a time (one Dask thread per worker process) with
its BLAS and torch threads pinned (``OMP_NUM_THREADS`` and friends in the
workers' environment, and :func:`pin_threads` before every task), so
``n_workers`` processes use ``n_workers`` cores and nothing is oversubscribed.

``retries``: how many times a point whose worker died (SIGKILL, out of memory,
a lost node) is started again on another worker, Dask's
``distributed.scheduler.allowed-failures``. It is set on the clusters made here
(local and SLURM); a scheduler you started yourself keeps its own setting.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field

from ..errors import ConfigError, ExecutorUnavailableError
from ..validation import check_float, check_int, fail

__all__ = [
    "THREAD_VARIABLES",
    "pin_threads",
    "local_cluster",
    "SlurmConfig",
    "load_slurm_config",
    "connect",
    "usable_cores",
    "require",
]

#: Environment variables that size the BLAS / OpenMP thread pools of numpy, scipy and torch.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
_PINNED: int | None = None


def require(module: str) -> None:
    """Import ``module`` (one of the ``sweep`` extra's) or raise ExecutorUnavailableError saying how to install it."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise ExecutorUnavailableError(
            f"sweeps need {module!r}, which is not installed here ({exc}); install the extra: "
            "pip install -e '.[sweep]' (dask[distributed], pyarrow, dask-jobqueue)"
        ) from None


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pin_threads(n: int = 1) -> None:
    """Limit this process's BLAS, OpenMP and torch intra-op threads to ``n`` (idempotent, cheap after the first call)."""
    global _PINNED
    if _PINNED == n:
        return
    import threadpoolctl
    import torch

    for var in THREAD_VARIABLES:
        os.environ[var] = str(n)
    threadpoolctl.threadpool_limits(limits=n)
    torch.set_num_threads(n)
    _PINNED = n


def _env(threads: int) -> dict:
    return {var: str(threads) for var in THREAD_VARIABLES}


#: Dask settings for the clusters made here: the workers' statistical profiler (a stack sample of the
#: task thread every 10 ms) and GIL monitor are off, and the system monitor polls every 2 s instead of
#: 0.5 s. On our 2-core machine the profiler alone slowed a 2.6 s lambda_max task by about 15 %
#: (benchmarks/bench_sweep.py); the dashboard's profile tab is what is lost.
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
}


def local_cluster(n_workers: int | None = None, *, retries: int = 2, task_threads: int = 1, **kwargs):
    """A ``distributed.LocalCluster`` of ``n_workers`` processes (default: the usable cores), one thread each.

    ``kwargs`` go to ``LocalCluster`` (e.g. ``memory_limit``; ``dashboard_address=":0"`` starts the
    scheduler's HTTP server and dashboard on any free port, off by default). Dask settings:
    :data:`QUIET_WORKERS`.
    """
    require("distributed")
    import dask
    from distributed import LocalCluster

    n_workers = usable_cores() if n_workers is None else check_int(n_workers, "n_workers", min_value=1)
    retries = check_int(retries, "retries", min_value=0)
    kwargs.setdefault("dashboard_address", None)  # no HTTP server unless asked for (":0" takes any free port)
    with dask.config.set({"distributed.scheduler.allowed-failures": retries, **QUIET_WORKERS}):
        return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, env=_env(task_threads), **kwargs)


#: Keys of SLURM.toml's [slurm] table passed to ``dask_jobqueue.SLURMCluster`` (per job unless said).
SLURM_KEYS = (
    "cores",  # cores per job (required)
    "memory",  # memory per job, e.g. "16GB" (required)
    "walltime",  # per job, "HH:MM:SS" (required)
    "processes",  # worker processes per job (default: cores, i.e. one thread per worker)
    "queue",  # partition (#SBATCH -p)
    "account",  # account to charge (#SBATCH -A)
    "job_cpu",
    "job_mem",
    "interface",
    "death_timeout",
    "local_directory",
    "log_directory",
    "python",
    "shebang",
    "job_name",
    "worker_extra_args",
    "job_extra_directives",  # extra "#SBATCH ..." lines, e.g. ["--qos=short"]
    "job_script_prologue",  # shell lines run before the worker, e.g. ["source ~/venv/bin/activate"]
    "job_directives_skip",
)


@dataclass(frozen=True)
class SlurmConfig:
    """A checked SLURM.toml: ``options`` for ``SLURMCluster`` and ``jobs``, the number of jobs to keep running.

    Each job runs ``processes`` worker processes of ``cores / processes`` threads (one by default).
    """

    options: dict
    jobs: int = 1
    path: str | None = None
    task_threads: int = field(default=1)

    def make_cluster(self, retries: int = 2):
        """The ``SLURMCluster`` (no job submitted yet: call ``.scale(jobs=self.jobs)``, as :func:`connect` does)."""
        require("dask_jobqueue")
        import dask
        from dask_jobqueue import SLURMCluster

        opts = dict(self.options)
        prologue = [f"export {var}={self.task_threads}" for var in THREAD_VARIABLES]
        prologue += [
            f"export DASK_{key.upper().replace('.', '__').replace('-', '_')}={value}"
            for key, value in QUIET_WORKERS.items()
        ]
        opts["job_script_prologue"] = prologue + list(opts.get("job_script_prologue", []))
        opts.setdefault("processes", opts["cores"])
        with dask.config.set({"distributed.scheduler.allowed-failures": check_int(retries, "retries", min_value=0)}):
            return SLURMCluster(**opts)


def load_slurm_config(path) -> SlurmConfig:
    """Read SLURM.toml: a ``[slurm]`` table of :data:`SLURM_KEYS` plus ``jobs`` (default 1).

    Raises ConfigError naming the key for an unknown key, a missing cores / memory /
    walltime, or a value of the wrong type.
    """
    from ..io import read_toml

    where = str(path)
    data = read_toml(path, "slurm")
    if set(data) != {"slurm"} or not isinstance(data["slurm"], dict):
        fail("slurm", "a file with one [slurm] table", sorted(data), where)
    table = dict(data["slurm"])
    jobs = check_int(table.pop("jobs", 1), "slurm.jobs", min_value=1, where=where)
    unknown = sorted(set(table) - set(SLURM_KEYS))
    if unknown:
        raise ConfigError(f"`slurm` keys must be among {['jobs', *SLURM_KEYS]}, got unknown {unknown} ({where})")
    missing = [k for k in ("cores", "memory", "walltime") if k not in table]
    if missing:
        fail("slurm", f"a table with {', '.join(missing)}", sorted(table), where)
    cores = check_int(table["cores"], "slurm.cores", min_value=1, where=where)
    processes = check_int(table.get("processes", cores), "slurm.processes", min_value=1, where=where)
    if cores % processes:
        fail("slurm.processes", f"a divisor of slurm.cores = {cores}", processes, where)
    for key in ("memory", "walltime", "queue", "account", "job_mem", "local_directory", "log_directory", "python"):
        if key in table and (not isinstance(table[key], str) or not table[key]):
            fail(f"slurm.{key}", "a non-empty string", table[key], where)
    for key in ("job_extra_directives", "job_script_prologue", "worker_extra_args", "job_directives_skip"):
        if key in table and (not isinstance(table[key], list) or not all(isinstance(v, str) for v in table[key])):
            fail(f"slurm.{key}", "a list of strings", table[key], where)
    return SlurmConfig(options=table, jobs=jobs, path=where, task_threads=cores // processes)


def _connect_address(address: str, timeout_s: float):
    from distributed import Client

    try:
        return Client(address, timeout=timeout_s)
    except ValueError as exc:
        raise ConfigError(f"`scheduler` must be an address such as tcp://HOST:8786, got {address!r} ({exc})") from None
    except (OSError, TimeoutError) as exc:
        raise ExecutorUnavailableError(
            f"`scheduler` {address!r} could not be reached within {timeout_s:g} s ({exc}); start one with "
            "`dask scheduler` (and workers with `dask worker ADDRESS --nthreads 1`), or leave the address out "
            "to run on a local cluster"
        ) from None


@contextlib.contextmanager
def connect(
    cluster=None, *, n_workers: int | None = None, retries: int = 2, timeout_s: float = 10.0, task_threads: int = 1
):
    """A ``distributed.Client`` for the body; closes the client and any cluster it made itself.

    Parameters
    ----------
    cluster : None (a :func:`local_cluster` of ``n_workers``), a scheduler address
        ("tcp://HOST:PORT"), a :class:`SlurmConfig` (its jobs are submitted here), a
        ``distributed`` cluster object, or a ``Client`` (used as it is, left open)
    n_workers : local cluster only
    retries : see the module docstring
    timeout_s : how long to try to reach a scheduler address, seconds
    task_threads : BLAS / torch threads per worker (:class:`~neurochaos.sweep.worker.WorkerSetup`, on every worker)

    Raises
    ------
    ExecutorUnavailableError : the scheduler address cannot be reached within ``timeout_s``
    ConfigError : a malformed address, or ``n_workers`` given with another cluster
    """
    require("distributed")
    from distributed import Client

    from .worker import WorkerSetup

    timeout_s = check_float(timeout_s, "timeout_s", low=0.0, low_open=True)
    if n_workers is not None and cluster is not None:
        fail("n_workers", "left out when a cluster or scheduler is given (it sizes the local cluster)", n_workers)
    own = None
    if cluster is None:
        own = local_cluster(n_workers, retries=retries, task_threads=task_threads)
        client = Client(own)
    elif isinstance(cluster, str):
        client = _connect_address(str(cluster), timeout_s)
    elif isinstance(cluster, SlurmConfig):
        own = cluster.make_cluster(retries)
        own.scale(jobs=cluster.jobs)
        client = Client(own)
    elif isinstance(cluster, Client):
        cluster.register_plugin(WorkerSetup(task_threads))
        yield cluster
        return
    elif hasattr(cluster, "scheduler_address"):
        client = Client(cluster)
    else:
        fail("cluster", "None, a scheduler address, a SlurmConfig, a distributed cluster or a Client", cluster)
    try:
        client.register_plugin(WorkerSetup(task_threads))
        yield client
    finally:
        client.close()
        if own is not None:
            own.close()
