"""``neurochaos sample DIR --n 10000 --t 100 --out samples.npz``: generate by internal chaos."""

from __future__ import annotations


def register(sub):
    p = sub.add_parser("sample", help="generate samples from a trained network (free chaotic dynamics, no noise)")
    p.add_argument("dir", help="training folder (or its checkpoint.npz)")
    p.add_argument("--n", type=int, default=10000, help="number of samples (default 10000)")
    p.add_argument(
        "--t",
        type=float,
        default=None,
        help="read-out time in ms, as in the paper (default: the training T; tau = 10 ms, so 100 ms = 10 tau)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the random initial states")
    p.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    p.add_argument(
        "--continuous",
        action="store_true",
        help="write the rates tanh(x) instead of their signs (default: the data encoding's read-out)",
    )
    p.add_argument("--out", required=True, help="output .npz: key `samples`, shape (n, N_v)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..io import save_npz
    from ..learning import generate, load_trained, readout

    if not str(args.out).endswith(".npz"):
        raise ValueError(f"`--out` must end in .npz, got {args.out!r}")
    net, cfg, ckpt = load_trained(args.dir)
    t_ms = net.T * net.tau_ms if args.t is None else args.t
    if not t_ms > 0:
        raise ValueError(f"`--t` must be > 0 ms, got {args.t!r}")
    s = generate(
        net,
        args.n,
        times=[t_ms / net.tau_ms],
        seed=args.seed,
        device=args.device,
        dtype=cfg.training.dtype if args.device != "cpu" else "float64",
    )[0]
    samples = s if args.continuous else readout(s, cfg.data.encoding)
    save_npz(args.out, samples=samples, t_ms=t_ms, step=ckpt.step)
    print(args.out)
    return 0


__all__ = ["register", "run"]
