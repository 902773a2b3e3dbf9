"""The sweep driver: check the spec and the folder, skip finished points, run the rest on Dask, write each row.

The driver is the only writer of a sweep folder (it holds :func:`neurochaos.io.folder_lock`
for the whole run). Workers compute and return; the driver writes each result as
it arrives (``as_completed``), so a task that Dask runs twice (its worker died after
finishing) still gives one row, and a row is only written once its point is done.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, ExecutorUnavailableError
from ..validation import check_float, check_int, fail
from .spec import SweepSpec, make_spec
from .table import SPEC_NAME, TABLE_NAME, ResultsTable, now_utc

__all__ = ["sweep", "SweepResult", "check_folder"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    """What :func:`sweep` did.

    Attributes
    ----------
    out : the sweep folder
    table : ``out/table.parquet`` (read it with :func:`neurochaos.sweep.read_table`)
    spec_hash : the spec's hash (see :class:`~neurochaos.sweep.spec.SweepSpec`)
    n_points : points in the grid
    n_skipped : points already in the table before this run (not run again)
    n_run : points run now
    n_errors : points of the grid whose row records an error
    seconds : wall time of this call
    """

    out: Path
    table: Path
    spec_hash: str
    n_points: int
    n_skipped: int
    n_run: int
    n_errors: int
    seconds: float

    def to_dict(self) -> dict:
        return {k: str(v) if isinstance(v, Path) else v for k, v in self.__dict__.items()}


def _differences(old: dict, new: dict) -> str:
    diffs = []
    for key in ("task", "seed", "axes"):
        if old.get(key) != new.get(key):
            diffs.append(f"{key} {old.get(key)!r} -> {new.get(key)!r}")
    a, b = old.get("params", {}), new.get("params", {})
    for key in sorted(set(a) | set(b)):
        if a.get(key, "<unset>") != b.get(key, "<unset>"):
            diffs.append(f"params.{key} {a.get(key, '<unset>')!r} -> {b.get(key, '<unset>')!r}")
    return "; ".join(diffs) or "its recorded hash differs"


def check_folder(out: Path, spec: SweepSpec) -> dict | None:
    """Refuse ``out`` unless it is new, empty, or a sweep folder of the same spec; return its sweep.json if any.

    Raises ConfigError naming ``out``: a file, a non-empty folder that is no sweep
    folder, or a sweep folder made by a spec with another identity (task, fixed
    parameters, root seed or axis names).
    """
    import json

    from ..io import LOCK_NAME

    if out.exists() and not out.is_dir():
        fail("out", "a folder for the sweep (it is a file)", str(out))
    if not out.exists():
        return None
    meta = out / SPEC_NAME
    if not meta.exists():
        others = sorted(p.name for p in out.iterdir() if p.name != LOCK_NAME)
        if others:
            fail(
                "out",
                "a new or empty folder, or a sweep folder (with sweep.json)",
                f"{str(out)!r}, which holds {len(others)} other entries ({', '.join(others[:3])}{', ...' * (len(others) > 3)})",
            )
        return None
    try:
        old = json.loads(meta.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"`out` must be a sweep folder with a readable {SPEC_NAME}, got {str(out)!r} ({exc})"
        ) from None
    if old.get("spec_hash") != spec.hash:
        raise ConfigError(
            f"`out` must be a new folder or one made by this spec, got {str(out)!r}, which holds the table of "
            f"another sweep (spec hash {old.get('spec_hash')} != {spec.hash}: {_differences(old, spec.identity)}); "
            "choose another folder"
        )
    return old


def sweep(
    task,
    grid=None,
    *,
    out,
    params: dict | None = None,
    seed: int = 0,
    cluster=None,
    n_workers: int | None = None,
    retries: int = 2,
    retry_errors: bool = False,
    task_threads: int = 1,
    timeout_s: float = 10.0,
    compact_every_s: float = 60.0,
    progress: bool = True,
) -> SweepResult:
    """Run ``task`` at every point of ``grid`` on Dask; one row per point in ``out/table.parquet``.

    Parameters
    ----------
    task : a built-in task name (see :func:`neurochaos.sweep.task_names`), ``"module:function"``,
        an importable function, or a :class:`SweepSpec` (from :func:`load_spec`; then leave
        ``grid``, ``params`` and ``seed`` out)
    grid : a :class:`Grid` or a dict axis name -> list of values
    out : the sweep folder: new, empty, or made by the same spec (its finished points are skipped)
    params : fixed task parameters
    seed : root seed (each point's seed derives from it and the point's parameters)
    cluster : None (a local cluster of ``n_workers`` processes), a scheduler address
        "tcp://HOST:PORT", a :class:`~neurochaos.sweep.cluster.SlurmConfig`, a distributed cluster or Client
    n_workers : worker processes of the local cluster (default: the usable cores)
    retries : times a point whose worker died is started again elsewhere (clusters made here)
    retry_errors : run again the points whose row records an error
    task_threads : BLAS / torch threads of each task (workers run one task at a time)
    timeout_s : seconds to try reaching a scheduler address
    compact_every_s : rewrite the Parquet table at most this often during the run (and at the end)
    progress : a tqdm bar over the points to run

    Returns
    -------
    SweepResult

    Raises
    ------
    ConfigError : bad task, grid, parameters or folder (before anything is written)
    ExecutorUnavailableError : the scheduler cannot be reached, or was lost (finished rows are kept)
    OutputLockedError : another sweep is writing to ``out``
    """
    from ..io import folder_lock

    t_start = time.perf_counter()
    if isinstance(task, SweepSpec):
        if grid is not None or params is not None or seed != 0:
            fail("grid", "left out when task is a SweepSpec (it has its own grid, params and seed)", grid)
        spec = task
    else:
        if grid is None:
            fail("grid", "a Grid or a dict of axes", grid)
        spec = make_spec(task, grid, params=params, seed=seed)
    retries = check_int(retries, "retries", min_value=0)
    task_threads = check_int(task_threads, "task_threads", min_value=1)
    compact_every_s = check_float(compact_every_s, "compact_every_s", low=0.0)
    if not isinstance(retry_errors, bool):
        fail("retry_errors", "true or false", retry_errors)
    if n_workers is not None:
        if cluster is not None:
            fail("n_workers", "left out when a cluster or scheduler is given (it sizes the local cluster)", n_workers)
        n_workers = check_int(n_workers, "n_workers", min_value=1)
    timeout_s = check_float(timeout_s, "timeout_s", low=0.0, low_open=True)
    out = Path(out)
    check_folder(out, spec)
    created = not out.exists()
    try:
        with folder_lock(out, "sweep"):
            return _sweep_locked(
                spec, out, cluster, n_workers, retries, retry_errors, task_threads, timeout_s, compact_every_s,
                progress, t_start,
            )  # fmt: skip
    except BaseException:
        if created:
            _remove_if_nothing_done(out)
        raise


def _remove_if_nothing_done(out: Path) -> None:
    """Remove a folder this call created when it holds no row and no artefact (a failed first start)."""
    import shutil

    rows, points = out / "rows", out / "points"
    if (out / TABLE_NAME).exists() or (rows.is_dir() and any(rows.iterdir())):
        return
    if points.is_dir() and any(f.is_file() and f.name != "error.txt" for f in points.rglob("*")):
        return
    shutil.rmtree(out, ignore_errors=True)


def _sweep_locked(
    spec, out, cluster, n_workers, retries, retry_errors, task_threads, timeout_s, compact_every_s, progress, t_start
) -> SweepResult:
    from ..io import save_json

    points = spec.grid.points(spec.seed)
    old = check_folder(out, spec)  # again, now that no other sweep can change it
    record = {**spec.to_dict(), "format": "neurochaos-sweep", "version": 1, "runs": (old or {}).get("runs", [])}
    save_json(out / SPEC_NAME, record)
    table = ResultsTable(out, spec.grid.names)
    table.remove_stale_temps()
    table.compact()
    done = table.finished(retry_errors=retry_errors)
    todo = [p for p in points if p.key not in done]
    _log.info("sweep %s into %s: %d point(s), %d already in the table, %d to run", spec.task, out, len(points),
              len(points) - len(todo), len(todo))  # fmt: skip
    n_run = 0
    started = now_utc()
    try:
        if todo:
            n_run = _run(spec, todo, table, out, cluster, n_workers, retries, task_threads, timeout_s,
                         compact_every_s, progress)  # fmt: skip
    finally:
        table.compact()
    rows = table.rows()
    n_errors = sum(1 for p in points if rows.get(p.key, {}).get("error"))
    seconds = time.perf_counter() - t_start
    record["runs"].append(
        {"started": started, "finished": now_utc(), "points": len(points), "run": n_run, "errors": n_errors,
         "seconds": seconds, "cluster": _describe_cluster(cluster, n_workers)}
    )  # fmt: skip
    save_json(out / SPEC_NAME, record)
    return SweepResult(
        out=out, table=out / TABLE_NAME, spec_hash=spec.hash, n_points=len(points), n_skipped=len(points) - len(todo),
        n_run=n_run, n_errors=n_errors, seconds=seconds,
    )  # fmt: skip


def _describe_cluster(cluster, n_workers) -> str:
    from .cluster import SlurmConfig, usable_cores

    if cluster is None:
        return f"LocalCluster({n_workers or usable_cores()} workers)"
    if isinstance(cluster, SlurmConfig):
        return f"SLURM ({cluster.path}, {cluster.jobs} jobs)"
    return str(cluster) if isinstance(cluster, str) else type(cluster).__name__


def _run(spec, todo, table, out, cluster, n_workers, retries, task_threads, timeout_s, compact_every_s, progress):
    from .cluster import connect, require

    require("distributed")
    from distributed import as_completed
    from tqdm.auto import tqdm

    from .tasks import RESERVED_COLUMNS
    from .worker import run_point

    reserved = tuple(dict.fromkeys((*RESERVED_COLUMNS, *spec.grid.names)))
    nonce = secrets.token_hex(4)
    n_done = n_err = 0
    last_compact = time.monotonic()
    with connect(
        cluster, n_workers=n_workers, retries=retries, timeout_s=timeout_s, task_threads=task_threads
    ) as client:  # the bar starts once connected: an unreachable scheduler is one line of error, nothing else
        bar = tqdm(total=len(todo), desc=f"sweep {spec.task.name}", unit="point", disable=not progress)
        futures = {}
        for p in todo:
            workdir = str((out / "points" / p.key).resolve())
            fut = client.submit(
                run_point, spec.task.name, {**spec.params, **p.task_params}, p.seed, workdir, task_threads, reserved,
                key=f"sweep-{p.key}-{nonce}", pure=False,
            )  # fmt: skip
            futures[fut] = p
        bar.set_postfix(errors=0)
        try:
            for fut in as_completed(futures):
                p = futures[fut]
                if fut.status == "cancelled":
                    raise ExecutorUnavailableError(
                        f"the Dask scheduler dropped point {p.key} (cancelled: scheduler or client lost); "
                        f"{n_done} points of this run are in {out / TABLE_NAME}, rerun to do the rest"
                    )
                if fut.status == "finished":
                    res = fut.result()
                else:  # all its workers died (KilledWorker after `retries`), or an error outside the task
                    exc = fut.exception()
                    res = {"metrics": {}, "error": f"{type(exc).__name__}: {exc}"[:4000], "traceback": None,
                           "wall_s": None, "worker": None}  # fmt: skip
                fut.release()
                row = {"key": p.key, **p.params, "seed": p.seed, **res["metrics"], "wall_s": res["wall_s"],
                       "worker": res["worker"], "finished": now_utc(), "error": res["error"]}  # fmt: skip
                bad = table.conflicts(row)
                if bad:
                    row = {k: row[k] for k in ("key", *p.params, "seed", "wall_s", "worker", "finished")}
                    row["error"] = "ConfigError: metric types differ from earlier rows: " + "; ".join(bad)
                if res.get("traceback"):
                    from ..io import atomic_path

                    with atomic_path(out / "points" / p.key / "error.txt") as tmp:
                        tmp.write_text(res["traceback"])
                table.write_row(row)
                n_done += 1
                n_err += bool(row["error"])
                bar.update(1)
                bar.set_postfix(errors=n_err, refresh=False)
                if time.monotonic() - last_compact > compact_every_s:
                    table.compact()
                    last_compact = time.monotonic()
        finally:
            bar.close()
            for fut in futures:
                if not fut.done():
                    fut.cancel()
    return n_done
