"""``neurochaos sweep SPEC.toml --out DIR``: run a parameter sweep on Dask (local cluster, scheduler or SLURM)."""

from __future__ import annotations

import json


def register(sub):
    from .common import add_reporting

    p = sub.add_parser(
        "sweep",
        help="run a task over a grid of parameters on Dask workers; one row per point in DIR/table.parquet",
        description="Run the sweep SPEC.toml ([sweep] task/seed/replicates, [params], [grid], [[points]]; see "
        "docs/sweeps.md). Points already in DIR's table are skipped; DIR made by another spec is refused.",
    )
    p.add_argument("spec", help="sweep spec (TOML)")
    p.add_argument("--out", required=True, help="sweep folder: new, empty, or made by the same spec (it continues)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, default=None, help="worker processes of the local cluster (default: the usable cores)"
    )
    where.add_argument("--scheduler", default=None, help="address of a running Dask scheduler, tcp://HOST:PORT")
    where.add_argument("--slurm", default=None, help="SLURM.toml: submit workers as SLURM jobs (dask-jobqueue)")
    p.add_argument(
        "--retries", type=int, default=2, help="restarts of a point whose worker died, elsewhere (default 2)"
    )
    p.add_argument("--retry-errors", action="store_true", help="run again the points whose row records an error")
    p.add_argument(
        "--connect-timeout", type=float, default=10.0, help="seconds to try reaching --scheduler (default 10)"
    )
    add_reporting(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..sweep import load_slurm_config, load_spec, sweep

    spec = load_spec(args.spec)
    cluster = load_slurm_config(args.slurm) if args.slurm else args.scheduler
    res = sweep(
        spec,
        out=args.out,
        cluster=cluster,
        n_workers=args.workers,
        retries=args.retries,
        retry_errors=args.retry_errors,
        timeout_s=args.connect_timeout,
        progress=not args.no_progress and not args.json,
    )
    if args.json:
        print(json.dumps(res.to_dict()))
        return 0
    print(
        f"{res.n_points} points: {res.n_skipped} already done, {res.n_run} run now, {res.n_errors} with errors "
        f"({res.seconds:.1f} s)"
    )
    print(res.table)
    return 0


__all__ = ["register", "run"]
