"""Benchmark: a 16-point lambda_max sweep on 1 and 2 Dask workers against calling the task in a loop.

The task is the built-in ``lyapunov`` (QR method, k = 1: lambda_max) of
``chaotic_rate`` at N = 1000, T = 300 tau after a 50 tau transient, over
g in {1.5, 2, ..., 5} x 2 replicates (16 points, >= 1 s each on our 2-core dev
machine; the record keeps every task's time so this can be checked). In one run:

1. the **direct loop**: the 16 task calls in this process, one BLAS / torch thread;
2. a **sweep on 1 worker** and 3. a **sweep on 2 workers** (``LocalCluster``, one thread
   per worker), each on a cluster started beforehand (``startup_s``: cluster start and
   worker setup, timed apart) into a fresh folder.

Reported: the speed-up of 2 workers over 1 (sweep time, and end to end with the
startup), the speed-up of 2 workers over the direct loop, and the overhead per task
of the sweep, ``(sweep on 1 worker - direct loop) / 16`` (scheduling, the results
table, pickling), also per task from the workers' own timings. The lambda_max values
of the three runs are compared (identical on the CPU). Writes
``benchmarks/results/sweep_<host>.json``.

Usage::

    python benchmarks/bench_sweep.py [--quick] [--N 1000] [--T 300] [--out PATH]

``--quick`` runs 4 points at N = 200, T = 20 tau (a check that everything works, seconds).
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import time
from pathlib import Path

from bench_record import write_result


def _sweep_on(n_workers: int, spec, folder: Path) -> dict:
    from distributed import Client

    from neurochaos.sweep import local_cluster, read_rows, sweep
    from neurochaos.sweep.worker import WorkerSetup

    t0 = time.perf_counter()
    cluster = local_cluster(n_workers)
    client = Client(cluster)
    client.register_plugin(WorkerSetup(1))  # worker setup (threads, Brian2 import) counted as startup
    client.wait_for_workers(n_workers)
    startup = time.perf_counter() - t0
    try:
        t1 = time.perf_counter()
        res = sweep(spec, out=folder, cluster=client, progress=False)
        seconds = time.perf_counter() - t1
    finally:
        t2 = time.perf_counter()
        client.close()
        cluster.close()
        shutdown = time.perf_counter() - t2
    rows = read_rows(folder)
    if res.n_errors or res.n_run != len(rows):
        raise RuntimeError(f"the {n_workers}-worker sweep had errors: {[r['error'] for r in rows if r['error']]}")
    return {
        "workers": n_workers,
        "startup_s": startup,
        "sweep_s": seconds,
        "shutdown_s": shutdown,
        "end_to_end_s": startup + seconds + shutdown,
        "task_s_on_workers": [r["wall_s"] for r in rows],
        "workers_used": sorted({r["worker"] for r in rows}),
        "lambda_max": {r["key"]: r["lambda_max"] for r in rows},
    }


def main(argv=None) -> Path:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="4 points at N = 200, T = 20 tau")
    p.add_argument("--N", type=int, default=None, help="network size (default 1000; quick 200)")
    p.add_argument("--T", type=float, default=None, help="measured time, tau (default 300; quick 20)")
    p.add_argument("--out", default=None, help="output JSON (default benchmarks/results/sweep_<host>.json)")
    a = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    import numpy as np

    from neurochaos.sweep import Grid, make_spec, pin_threads
    from neurochaos.sweep.builtin_tasks import lyapunov

    N = a.N or (200 if a.quick else 1000)
    T = a.T or (20.0 if a.quick else 300.0)
    gains = [2.0, 4.0] if a.quick else [1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
    params = {"N": N, "k": 1, "T": T, "transient": 10.0 if a.quick else 50.0}
    spec = make_spec("lyapunov", Grid({"g": gains}, replicates=2), params=params, seed=0)
    points = spec.grid.points(spec.seed)

    pin_threads(1)
    lyapunov(**{**spec.params, "g": gains[0], "N": 20, "T": 2.0}, seed=0)  # warm-up: imports, card parsing
    direct_times, direct_lambda = [], {}
    t0 = time.perf_counter()
    for pt in points:
        t = time.perf_counter()
        direct_lambda[pt.key] = lyapunov(**{**spec.params, **pt.task_params}, seed=pt.seed)["lambda_max"]
        direct_times.append(time.perf_counter() - t)
    direct = time.perf_counter() - t0
    print(f"direct loop: {direct:.1f} s for {len(points)} tasks (min {min(direct_times):.2f} s)")

    runs = {}
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        for n in (1, 2):
            runs[n] = _sweep_on(n, spec, Path(tmp) / f"w{n}")
            print(f"{n} worker(s): sweep {runs[n]['sweep_s']:.1f} s (+ startup {runs[n]['startup_s']:.1f} s)")
    one, two = runs[1], runs[2]
    n_tasks = len(points)
    diff = max(abs(r["lambda_max"][k] - direct_lambda[k]) for r in runs.values() for k in direct_lambda)
    record = {
        "benchmark": "bench_sweep",
        "quick": a.quick,
        "task": "lyapunov (QR, k = 1) of chaotic_rate",
        "params": spec.params,
        "grid": spec.grid.to_dict(),
        "n_tasks": n_tasks,
        "direct_loop": {
            "seconds": direct,
            "task_s": direct_times,
            "min_task_s": min(direct_times),
            "median_task_s": float(np.median(direct_times)),
            "threads": 1,
        },
        "sweeps": {str(n): r for n, r in runs.items()},
        "speedup_2_over_1_workers": one["sweep_s"] / two["sweep_s"],
        "speedup_2_over_1_workers_end_to_end": one["end_to_end_s"] / two["end_to_end_s"],
        "speedup_2_workers_over_direct_loop": direct / two["sweep_s"],
        "overhead_per_task_s": (one["sweep_s"] - direct) / n_tasks,
        "overhead_per_task_s_from_worker_times": (one["sweep_s"] - sum(one["task_s_on_workers"])) / n_tasks,
        "startup_s": {"1": one["startup_s"], "2": two["startup_s"]},
        "tasks_at_least_1s": min(direct_times) >= 1.0,
        "max_abs_lambda_difference_vs_direct": diff,
        "loadavg_at_start": os.getloadavg(),
    }
    if not record["tasks_at_least_1s"]:
        print(f"warning: the shortest task took {min(direct_times):.2f} s (< 1 s): raise --N or --T")
    print(
        f"speed-up 2 vs 1 workers: {record['speedup_2_over_1_workers']:.2f}x "
        f"(end to end {record['speedup_2_over_1_workers_end_to_end']:.2f}x); "
        f"overhead per task {record['overhead_per_task_s'] * 1e3:.0f} ms"
    )
    name = socket.gethostname().split(".")[0]
    return write_result(record, a.out, f"sweep_{name}{'_quick' if a.quick else ''}")


if __name__ == "__main__":
    main()
