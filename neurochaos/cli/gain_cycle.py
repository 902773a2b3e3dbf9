"""``neurochaos gain-cycle MODEL ...``: cycle the gain of a structured + random network, count memories."""

from __future__ import annotations


def register(sub):
    from .common import add_overwrite, add_reporting, add_seed

    p = sub.add_parser(
        "gain-cycle",
        help="cycle g(t) between --g-low and --g-high (square wave) and count the stored memories visited",
    )
    p.add_argument("model", help="card with stored patterns: mixed_rate (gain on the random part) or hopfield_rate")
    p.add_argument("--N", type=int, default=200, help="number of units (default 200)")
    p.add_argument("--P", type=int, default=10, help="stored random +-1 patterns, < N (default 10)")
    p.add_argument("--g-low", type=float, default=1.0, help="gain in the low phase (default 1)")
    p.add_argument("--g-high", type=float, default=8.0, help="gain in the high phase (default 8)")
    p.add_argument("--period", type=float, default=50.0, help="cycle period in units of tau (default 50)")
    p.add_argument("--duty", type=float, default=0.5, help="fraction of each period at g-high, first (default 0.5)")
    p.add_argument("--cycles", type=int, default=20, help="number of cycles (default 20)")
    p.add_argument(
        "--structure", type=float, default=None, help="strength of the structured coupling (default: the card's J_s)"
    )
    p.add_argument("--threshold", type=float, default=0.5, help="|overlap| that counts as in a memory (default 0.5)")
    p.add_argument("--chains", type=int, default=1, help="independent initial states (default 1)")
    add_seed(p, "seed of patterns, weights (seed) and x(0) (seed + 1)")
    p.add_argument(
        "--executor", default="torch", help="executor: torch, brian2-runtime, brian2-cpp or brian2-cuda (default torch)"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON (default: a short text)")
    p.add_argument("--plot", default=None, help="draw overlaps, gain and orthogonal activity to this image")
    add_overwrite(p)
    add_reporting(p, json=False)
    p.set_defaults(func=run)


def run(args) -> int:
    import json

    from ..protocols import run_gain_cycle
    from .common import check_outputs

    check_outputs(args, args.plot, flag="--plot")
    res = run_gain_cycle(
        args.model,
        N=args.N,
        P=args.P,
        g_low=args.g_low,
        g_high=args.g_high,
        period=args.period,
        duty=args.duty,
        cycles=args.cycles,
        structure=args.structure,
        threshold=args.threshold,
        chains=args.chains,
        seed=args.seed,
        executor=args.executor,
        progress=not args.no_progress and not args.json,
    )
    s = res.summary
    if args.plot:
        from ..plotting import plot_gain_cycle

        plot_gain_cycle(res, args.plot)
        s["plot"] = str(args.plot)
    if args.json:
        print(json.dumps(s))
    else:
        print(
            f"memories visited {s['memories_visited']:g}, per cycle {s['memories_per_cycle']:.2f}, "
            f"switches per tau {s['switches_per_tau']:.4f}, settled fraction {s['settled_fraction']:.2f}"
        )
        if args.plot:
            print(args.plot)
    return 0


__all__ = ["register", "run"]
