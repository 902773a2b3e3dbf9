"""``neurochaos export-nir MODEL_OR_CHECKPOINT out.nir``: write a network as a NIR graph."""

from __future__ import annotations


def register(sub):
    from .common import add_network, add_overwrite, add_seed

    p = sub.add_parser(
        "export-nir",
        help="write a spiking network (card) as a NIR graph; rate cards/checkpoints need --linearize (no tanh in NIR)",
    )
    p.add_argument("model", metavar="MODEL_OR_CHECKPOINT", help="card name, .toml card, or training checkpoint")
    p.add_argument("out", help="output .nir file (HDF5, written with nir.write)")
    add_network(p, with_P=False)
    add_seed(p, "seed of the connectivity")
    p.add_argument("--linearize", action="store_true", help="rate networks: export the linearisation at x = 0")
    p.add_argument(
        "--refractory",
        choices=["drop", "error"],
        default="drop",
        help="CubaLIF has no refractory period: drop it with a warning (default) or fail",
    )
    add_overwrite(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..export import export_model
    from .common import check_outputs, require_suffix

    require_suffix(args.out, ".nir", "out")
    check_outputs(args, args.out, flag="out")
    path = export_model(
        args.model, args.out, N=args.N, g=args.g, seed=args.seed, linearize=args.linearize, refractory=args.refractory
    )
    print(path)
    return 0
