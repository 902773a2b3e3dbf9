"""``neurochaos compare CONFIG --out DIR``: every generator on the same data and indices, and self-consuming retraining."""

from __future__ import annotations


def register(sub):
    from .common import add_reporting

    p = sub.add_parser(
        "compare",
        help="fit every generator of a TOML config on the same split, score the same indices, retrain on own samples",
    )
    p.add_argument(
        "config", help="TOML config with [data], [evaluation], [generators.NAME] and [self_consuming] tables"
    )
    p.add_argument("--out", default=None, help="results folder (default: the config's [experiment] out)")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="refit every generator (default: generators an earlier run of the same config fitted in OUT are reused)",
    )
    add_reporting(p, json=False)
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from ..generators import read_comparison, run_comparison

    config = read_comparison(args.config)  # every table checked before any data is read or any fit
    folder = run_comparison(
        config,
        args.out,
        progress=not args.no_progress,
        overwrite=args.overwrite,
        log=lambda m: print(m, file=sys.stderr),
    )
    for name in ("comparison.md", "samples.png", "self_consuming.png", "results/comparison.json"):
        if (folder / name).exists():
            print(folder / name)
    return 0


__all__ = ["register", "run"]
