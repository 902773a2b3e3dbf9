"""``neurochaos simulate MODEL ...``: simulate a card (rate, or spiking on a Brian2 executor) and save x(t)."""

from __future__ import annotations


def register(sub):
    from .common import add_execution, add_integration, add_model, add_network, add_overwrite, add_reporting, add_seed

    p = sub.add_parser(
        "simulate", help="simulate a model card (spiking cards on a brian2 executor) and write t and x to an .npz"
    )
    add_model(p)
    add_network(p)
    add_integration(p, T=100.0)
    add_execution(p, executor_default="auto")
    add_seed(p)
    p.add_argument("--record-every", type=int, default=1, help="keep every k-th step")
    p.add_argument(
        "--out",
        required=True,
        help="output .npz (t [steps], x [steps, chains, N], x_final; spiking cards also spike_i, spike_chain, "
        "spike_t_ms) or .nwb (NWB file: neurochaos.export.nwb; extra nwb)",
    )
    p.add_argument("--plot", default=None, help="also draw a few units' traces to this image")
    add_overwrite(p)
    add_reporting(p, json=False)
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from ..io import write_json
    from ..simulate import simulate
    from .common import check_outputs, figure_writer, require_suffix, write_outputs

    nwb = str(args.out).endswith(".nwb")
    if nwb:
        from ..export.nwb import _pynwb

        _pynwb()  # pynwb missing: refused before the run
    else:
        require_suffix(args.out, ".npz")
    meta_path = str(args.out)[:-4] + ".json"
    check_outputs(args, args.out, meta_path)
    check_outputs(args, args.plot, flag="--plot")
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
    meta = {**trace.meta, "executor": trace.executor, "x_shape": list(trace.x.shape)}
    spikes = {
        k: getattr(trace, k) for k in ("spike_i", "spike_chain", "spike_t_ms") if getattr(trace, k, None) is not None
    }

    def write_nwb(tmp):
        import pynwb

        from ..export.nwb import trace_to_nwb

        with pynwb.NWBHDF5IO(str(tmp), "w") as io:
            io.write(trace_to_nwb(trace))

    writers = {
        args.out: write_nwb
        if nwb
        else lambda tmp: np.savez(tmp, t=trace.t, x=trace.x, x_final=trace.x_final, **spikes),
        meta_path: lambda tmp: write_json(tmp, meta),
    }
    if args.plot:  # drawn before anything is written: a failing plot leaves no output
        from ..plotting import plot_traces  # matplotlib only when a figure is asked for

        fig = plot_traces(trace, title=f"{trace.meta['model']} N={trace.meta['N']} seed={args.seed}")
        writers[args.plot] = figure_writer(fig, args.plot)
    for path in write_outputs(writers):
        print(path)
    return 0


__all__ = ["register", "run"]
