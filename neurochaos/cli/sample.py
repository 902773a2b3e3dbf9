"""``neurochaos sample DIR --n 10000 --t 10 --out samples.npz``: generate by internal chaos (times in tau).

``--stream --every 0.5 [--chains 4] [--g 2 | --gain-cycle low,high,period | --drive-cycle scale,period]``
reads one or a few long free-running chains instead of one sample per random start.
"""

from __future__ import annotations


def register(sub):
    from .common import add_execution, add_overwrite, add_reporting, add_seed

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
    p.add_argument("--stream", action="store_true", help="read long free-running chains at fixed intervals")
    p.add_argument("--every", type=float, default=None, help="--stream: tau between samples of a chain (default T)")
    p.add_argument("--chains", type=int, default=1, help="--stream: number of chains (default 1)")
    p.add_argument("--g", type=float, default=None, help="--stream: gain while sampling (default: the trained g)")
    p.add_argument(
        "--gain-cycle",
        default=None,
        metavar="LOW,HIGH,PERIOD",
        help="--stream: gain HIGH for the first half of each PERIOD (tau), LOW for the second; "
        "one sample per --every (a multiple of PERIOD)",
    )
    p.add_argument(
        "--drive-cycle",
        default=None,
        metavar="SCALE,PERIOD",
        help="--stream, a network with a chaotic pool: the pool's drive of the layers times SCALE for the "
        "first half of each PERIOD (tau), as trained for the second; one sample per --every (a multiple of PERIOD)",
    )
    p.add_argument(
        "--out",
        required=True,
        help="output .npz: key `samples`, shape (n, N_v), and the training dataset (dataset, data_encoding, "
        "data_directory)",
    )
    add_overwrite(p)
    add_reporting(p, json=False)
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from ..io import save_npz
    from ..learning import generate, load_trained, readout, stream
    from ..validation import check_float, fail
    from .common import check_outputs, require_suffix

    require_suffix(args.out, ".npz")
    check_outputs(args, args.out)
    net, cfg, ckpt = load_trained(args.dir)
    dtype = cfg.training.dtype if args.device != "cpu" else "float64"
    extra = {}
    if args.stream:
        if args.t is not None:
            fail("--t", "unset with --stream (use --every)", args.t)
        cycle = _cycle(args.gain_cycle, "--gain-cycle", "LOW,HIGH,PERIOD")
        drive = _cycle(args.drive_cycle, "--drive-cycle", "SCALE,PERIOD")
        every = net.T if args.every is None else args.every
        frames = stream(
            net, args.n, every=every, chains=args.chains, g=args.g, gain_cycle=cycle, drive_cycle=drive, seed=args.seed,
            device=args.device, dtype=dtype, progress=not args.no_progress,
        )  # fmt: skip
        s = frames.transpose(1, 0, 2).reshape(-1, net.n_visible)[: args.n]  # chain by chain, in time order
        t = every
        extra = {
            "every": every,
            "chains": args.chains,
            "frames": frames.shape[0],
            "g": net.g if args.g is None else args.g,
        }
        if cycle is not None:
            extra["gain_cycle"] = np.array(cycle)
        if drive is not None:
            extra["drive_cycle"] = np.array(drive)
    else:
        for flag, value in (
            ("--every", args.every),
            ("--g", args.g),
            ("--gain-cycle", args.gain_cycle),
            ("--drive-cycle", args.drive_cycle),
        ):
            if value is not None:
                fail(flag, "used with --stream only", value)
        t = net.T if args.t is None else check_float(args.t, "--t", low=0.0, low_open=True)
        s = generate(
            net, args.n, times=[t], seed=args.seed, device=args.device, dtype=dtype, progress=not args.no_progress
        )[0]
    samples = s if args.continuous else readout(s, cfg.data.encoding)
    d = cfg.data  # the dataset the network learned: `neurochaos evaluate` compares against it by default
    extra.update(dataset=d.name, data_encoding=d.encoding, data_directory=d.directory)
    save_npz(args.out, samples=samples, t=t, t_ms=t * net.tau_ms, step=ckpt.step, **extra)
    print(args.out)
    return 0


def _cycle(text, flag: str, shape: str):
    """``"a,b[,c]"`` -> a tuple of as many floats as ``shape`` names, or None."""
    from ..validation import fail

    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    n = shape.count(",") + 1
    if len(values) != n:
        fail(flag, f"{('two', 'three')[n - 2]} numbers {shape}", text)
    return values


__all__ = ["register", "run"]
