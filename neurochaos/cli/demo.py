"""``neurochaos demo``: the README's main job (a chaotic network learns to generate digits)."""

from __future__ import annotations


def register(sub):
    p = sub.add_parser("demo", help="train the restricted 2-layer chaotic generator on 8x8 digits and report")
    p.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    p.add_argument("--steps", type=int, default=1600, help="training steps (default 1600)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier demo's outputs (its training is continued, not redone)",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from ..demo import OUTPUT_NAMES, generation_demo
    from .common import check_outputs

    check_outputs(args, *(Path(args.out) / name for name in OUTPUT_NAMES))
    out = generation_demo(args.out, steps=args.steps, seed=args.seed, progress=not args.no_progress)
    for f in sorted(out.iterdir()):
        print(f)
    return 0
