"""``neurochaos simulate MODEL ...``: simulate a card (rate, or spiking on a Brian2 executor) and save x(t)."""

from __future__ import annotations


def register(sub):
    from .common import add_execution, add_integration, add_model, add_network, add_reporting, add_seed

    p = sub.add_parser(
        "simulate", help="simulate a model card (spiking cards on a brian2 executor) and write t and x to an .npz"
    )
    add_model(p)
    add_network(p)
    add_integration(p, T=100.0)
    add_execution(p)
    add_seed(p)
    p.add_argument("--record-every", type=int, default=1, help="keep every k-th step")
    p.add_argument("--out", required=True, help="output .npz with t [steps] and x [steps, chains, N]")
    p.add_argument("--plot", default=None, help="also draw a few units' traces to this image")
    add_reporting(p, json=False)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..io import save_json, save_npz
    from ..plotting import plot_traces
    from ..simulate import simulate
    from .common import require_suffix

    require_suffix(args.out, ".npz")
    trace = simulate(
        args.model,
        N=args.N,
        g=args.g,
        P=args.P,
        T=args.T,
        dt=args.dt,
        executor=args.executor,
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
