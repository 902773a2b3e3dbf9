"""``neurochaos lyapunov MODEL ...``: Lyapunov spectrum of a rate card (QR method)."""

from __future__ import annotations

import json


def register(sub):
    from ..executors.integrators import METHOD_HELP

    p = sub.add_parser("lyapunov", help="first k Lyapunov exponents of a rate card (QR / Benettin method)")
    p.add_argument("model", help="model card name (see `neurochaos models`) or path to a .toml card")
    p.add_argument("--N", type=int, default=None, help="number of units (default: the card's)")
    p.add_argument("--g", type=float, default=None, help="gain (default: the card's)")
    p.add_argument("--P", type=int, default=None, help="stored patterns, for structured cards")
    p.add_argument("--seed", type=int, default=0, help="weights from seed, x(0) and tangents from seed + 1")
    p.add_argument("--exponents", type=int, default=None, help="number k of exponents, 1..N (default N)")
    p.add_argument("--T", type=float, default=200.0, help="measured time after the transient, units of tau")
    p.add_argument("--transient", type=float, default=50.0, help="discarded time, units of tau (default 50)")
    p.add_argument("--t-ons", type=float, default=1.0, help="time between QR re-orthonormalisations (default 1 tau)")
    p.add_argument("--dt", type=float, default=None, help="step in units of tau (default: the card's)")
    p.add_argument("--method", default=None, help=METHOD_HELP)
    p.add_argument("--jacobian", default="auto", choices=["auto", "analytic", "autograd"])
    p.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..analysis.lyapunov import compute_model_lyapunov

    res = compute_model_lyapunov(
        args.model,
        N=args.N,
        g=args.g,
        P=args.P,
        seed=args.seed,
        k=args.exponents,
        T=args.T,
        transient=args.transient,
        t_ons=args.t_ons,
        dt=args.dt,
        method=args.method,
        jacobian=args.jacobian,
        device=args.device,
        dtype=args.dtype,
        progress=not args.no_progress,
    )
    if args.json:
        print(json.dumps(res.to_dict()))
        return 0
    s = res.settings
    bound = " (lower bound: more exponents needed)" if res.kaplan_yorke_is_lower_bound else ""
    print(
        f"{s['model']} N={s['N']} seed={args.seed} k={s['k']}  T={s['T']:g} tau, dt={s['dt']:g}, {s['method']}, "
        f"{s['jacobian']} Jacobian"
    )
    print(f"lambda_max       = {res.lambda_max:.5f} / tau")
    print(f"kaplan_yorke_dim = {res.kaplan_yorke_dim:.3f}{bound}")
    print(f"entropy_rate     = {res.entropy_rate:.5f} / tau")
    print("first exponents  = " + " ".join(f"{v:.4f}" for v in res.spectrum[:8]))
    return 0


__all__ = ["register", "run"]
