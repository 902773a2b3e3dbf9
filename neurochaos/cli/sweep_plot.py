"""``neurochaos sweep-plot DIR --metric M --x AXIS [--y AXIS]``: a metric of a sweep, replicates aggregated."""

from __future__ import annotations


def register(sub):
    from .common import add_overwrite

    p = sub.add_parser(
        "sweep-plot",
        help="draw a metric of a sweep folder over one or two axes (median over replicates, with the spread)",
    )
    p.add_argument("dir", help="sweep folder (made by `neurochaos sweep`)")
    p.add_argument("--metric", required=True, help="metric column, e.g. lambda_max")
    p.add_argument("--x", required=True, help="axis along x")
    p.add_argument("--y", default=None, help="second axis: one line per value (lines) or the heatmap's rows")
    p.add_argument("--kind", default="lines", choices=["lines", "heatmap"], help="lines (default) or heatmap")
    p.add_argument("--spread", default="range", choices=["range", "iqr"], help="spread over replicates: min-max or IQR")
    p.add_argument(
        "--where", action="append", default=[], metavar="AXIS=VALUE", help="keep rows with this value (repeatable)"
    )
    p.add_argument(
        "--plot",
        default=None,
        help="output image (default DIR/<metric>_vs_<x>[_by_<y>].png; heatmap: <metric>_heatmap_...)",
    )
    add_overwrite(p)
    p.set_defaults(func=run)


def _where(items, dir_) -> dict:
    """Parse AXIS=VALUE against the values the axis takes in the sweep (so 2 matches 2.0 on a float axis)."""
    import json
    from pathlib import Path

    from ..errors import ConfigError
    from ..sweep.table import SPEC_NAME
    from ..validation import fail

    if not items:
        return {}
    grid = json.loads((Path(dir_) / SPEC_NAME).read_text())["grid"]
    values = {k: list(v) for k, v in grid["axes"].items()}
    for point in grid["points"]:
        for k, v in point.items():
            values.setdefault(k, []).append(v)
    values["replicate"] = list(range(grid["replicates"]))
    out = {}
    for item in items:
        name, eq, text = item.partition("=")
        if not eq or name not in values:
            fail("--where", f"AXIS=VALUE with AXIS one of {', '.join(values)}", item)
        for v in values[name]:
            same = str(v) == text
            if not same and isinstance(v, int | float) and not isinstance(v, bool):
                try:
                    same = float(text) == v
                except ValueError:
                    pass
            if same:
                out[name] = v
                break
        else:
            raise ConfigError(f"`--where` {name} must be one of {values[name]}, got {text!r}")
    return out


def run(args) -> int:
    from pathlib import Path

    from ..plotting.sweep import plot_sweep
    from ..sweep import summarise
    from ..sweep.table import sweep_folder
    from .common import check_outputs

    folder = sweep_folder(args.dir)
    path = args.plot or str(
        folder
        / f"{args.metric}_{'heatmap' if args.kind == 'heatmap' else 'vs'}_{args.x}{'_by_' + args.y if args.y else ''}.png"
    )
    check_outputs(args, path, flag="--plot")
    summary = summarise(folder, args.metric, args.x, args.y, where=_where(args.where, folder), spread=args.spread)
    plot_sweep(summary, path, kind=args.kind)
    print(Path(path))
    return 0


__all__ = ["register", "run"]
