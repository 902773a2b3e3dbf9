"""``neurochaos sample DIR --n 10000 --t 10 --out samples.npz``: generate by internal chaos (times in tau)."""

from __future__ import annotations


def register(sub):
    from .common import add_execution, add_overwrite, add_seed

    p = sub.add_parser("sample", help="generate samples from a trained network (free chaotic dynamics, no noise)")
    p.add_argument("dir", help="training folder (or its checkpoint.npz)")
    p.add_argument("--n", type=int, default=10000, help="number of samples (default 10000)")
    p.add_argument(
        "--t",
        type=float,
        default=None,
        help="read-out time in units of tau, like every time in the CLI (default: the training T; "
        "the paper's 100 ms is 10 tau with tau = 10 ms)",
    )
    add_seed(p, "seed of the random initial states")
    add_execution(p, executor=False, dtype=False)
    p.add_argument(
        "--continuous",
        action="store_true",
        help="write the rates tanh(x) instead of their signs (default: the data encoding's read-out)",
    )
    p.add_argument("--out", required=True, help="output .npz: key `samples`, shape (n, N_v)")
    add_overwrite(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..io import save_npz
    from ..learning import generate, load_trained, readout
    from ..validation import check_float
    from .common import check_outputs, require_suffix

    require_suffix(args.out, ".npz")
    check_outputs(args, args.out)
    net, cfg, ckpt = load_trained(args.dir)
    t = net.T if args.t is None else check_float(args.t, "--t", low=0.0, low_open=True)
    s = generate(
        net,
        args.n,
        times=[t],
        seed=args.seed,
        device=args.device,
        dtype=cfg.training.dtype if args.device != "cpu" else "float64",
    )[0]
    samples = s if args.continuous else readout(s, cfg.data.encoding)
    save_npz(args.out, samples=samples, t=t, t_ms=t * net.tau_ms, step=ckpt.step)
    print(args.out)
    return 0


__all__ = ["register", "run"]
