"""``neurochaos export-nir MODEL_OR_CHECKPOINT out.nir``: write a network as a NIR graph."""

from __future__ import annotations


def register(sub):
    p = sub.add_parser(
        "export-nir",
        help="write a spiking network (card) as a NIR graph; rate cards/checkpoints need --linearize (no tanh in NIR)",
    )
    p.add_argument("model", metavar="MODEL_OR_CHECKPOINT", help="card name, .toml card, or training checkpoint")
    p.add_argument("out", help="output .nir file (HDF5, written with nir.write)")
    p.add_argument("--N", type=int, default=None, help="number of neurons (default: the card's)")
    p.add_argument("--g", type=float, default=None, help="gain (default: the card's)")
    p.add_argument("--seed", type=int, default=0, help="seed of the connectivity")
    p.add_argument("--linearize", action="store_true", help="rate networks: export the linearisation at x = 0")
    p.add_argument(
        "--refractory",
        choices=["drop", "error"],
        default="drop",
        help="CubaLIF has no refractory period: drop it with a warning (default) or fail",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ..export import export_model

    if not str(args.out).endswith(".nir"):
        raise ValueError(f"`out` must end in .nir, got {args.out!r}")
    path = export_model(
        args.model, args.out, N=args.N, g=args.g, seed=args.seed, linearize=args.linearize, refractory=args.refractory
    )
    print(path)
    return 0
