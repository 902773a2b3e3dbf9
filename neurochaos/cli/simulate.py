"""``neurochaos simulate MODEL ...``: simulate a rate card and save x(t)."""

from __future__ import annotations


def register(sub):
    from ..executors.integrators import METHOD_HELP

    p = sub.add_parser("simulate", help="simulate a rate model card and write t and x to an .npz")
    p.add_argument("model", help="model card name (see `neurochaos models`) or path to a .toml card")
    p.add_argument("--N", type=int, default=None, help="number of units (default: the card's)")
    p.add_argument("--g", type=float, default=None, help="gain (default: the card's)")
    p.add_argument("--P", type=int, default=None, help="stored patterns, for structured cards")
    p.add_argument("--T", type=float, default=100.0, help="duration in units of tau (default 100)")
    p.add_argument("--dt", type=float, default=None, help="step in units of tau (default: the card's)")
    p.add_argument("--method", default=None, help=METHOD_HELP)
    p.add_argument("--backend", default="torch", help="torch, brian2-runtime, brian2-cpp or brian2-cuda")
    p.add_argument("--device", default="cpu", help="torch device for the torch backend (cpu, cuda)")
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    p.add_argument("--chains", type=int, default=1, help="independent chains M (default 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--record-every", type=int, default=1, help="keep every k-th step")
    p.add_argument("--out", required=True, help="output .npz with t [steps] and x [steps, chains, N]")
    p.add_argument("--plot", default=None, help="also draw a few units' traces to this image")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..io import save_json, save_npz
    from ..plotting import plot_traces
    from ..simulate import simulate

    if not str(args.out).endswith(".npz"):
        raise ValueError(f"`--out` must end in .npz, got {args.out!r}")
    trace = simulate(
        args.model,
        N=args.N,
        g=args.g,
        P=args.P,
        T=args.T,
        dt=args.dt,
        backend=args.backend,
        chains=args.chains,
        seed=args.seed,
        record_every=args.record_every,
        method=args.method,
        dtype=args.dtype,
        device=args.device,
        progress=not args.no_progress,
    )
    save_npz(args.out, t=trace.t, x=trace.x, x_final=trace.x_final)
    save_json(str(args.out)[:-4] + ".json", {**trace.meta, "executor": trace.executor, "x_shape": list(trace.x.shape)})
    print(args.out)
    if args.plot:
        plot_traces(trace, args.plot, title=f"{trace.meta['model']} N={trace.meta['N']} seed={args.seed}")
        print(args.plot)
    return 0


__all__ = ["register", "run"]
