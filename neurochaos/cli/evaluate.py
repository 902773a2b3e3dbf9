"""``neurochaos evaluate SAMPLES [--data D]``: the four accuracy indices of generated samples."""

from __future__ import annotations

import json


def register(sub):
    from ..data import SOURCES
    from .common import add_execution, add_overwrite, add_reporting, add_seed

    p = sub.add_parser("evaluate", help="accuracy indices E2, Es, ER, EAAI of generated samples against data")
    p.add_argument("samples", help=".npz with an array `samples` (or `x`) of shape (n, D), or a .npy")
    p.add_argument(
        "--data", default=None, choices=SOURCES, help="reference dataset (default: the one the samples file records)"
    )
    p.add_argument("--data-dir", default=None, help="folder of IDX files overriding the source's default")
    p.add_argument("--split", default="test", choices=["test", "train"], help="reference split (default test)")
    p.add_argument(
        "--encoding", default=None, choices=["pm1", "continuous"], help="data encoding (default: recorded, else pm1)"
    )
    p.add_argument(
        "--binary",
        default="auto",
        choices=["auto", "yes", "no"],
        help="Hamming distance on signs (yes), Euclidean (no), or Hamming only if both sets are +-1 (auto)",
    )
    add_execution(p, executor=False, dtype=False)
    p.add_argument("--chunk", type=int, default=2048, help="rows per distance block (default 2048)")
    add_seed(p, "seed of the equal-size subset drawn from the larger set (every index)")
    add_reporting(p)
    p.add_argument("--out", default=None, help="also write the JSON result to this file")
    add_overwrite(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..io import save_json
    from ..metrics import evaluate_samples
    from .common import check_outputs

    check_outputs(args, args.out)
    binary = {"auto": None, "yes": True, "no": False}[args.binary]
    res = evaluate_samples(
        args.samples, data=args.data, directory=args.data_dir, split=args.split, encoding=args.encoding,
        binary=binary, chunk=args.chunk, device=args.device, seed=args.seed,
        progress=not args.no_progress,
    )  # fmt: skip
    res["samples"] = str(args.samples)
    if args.out:
        save_json(args.out, res)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        for key in ("E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn"):
            print(f"{key:>9} {res[key]:.6g}")
        print(f"{res['n_samples']} samples vs {res['n_data']} {res['split']} images of {res['data_source']}")
        if args.out:
            print(args.out)
    return 0


__all__ = ["register", "run"]
