"""``neurochaos demo``: the README's main job."""

from __future__ import annotations


def register(sub):
    p = sub.add_parser("demo", help="run the main demonstration on embedded defaults")
    p.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..demo import chaos_demo

    out = chaos_demo(args.out, seed=args.seed)
    for f in sorted(out.iterdir()):
        print(f)
    return 0
