"""``neurochaos lyapunov MODEL ...``: Lyapunov spectrum of a rate card (QR method)."""

from __future__ import annotations

import json


def register(sub):
    from .common import (
        add_execution,
        add_integration,
        add_model,
        add_network,
        add_overwrite,
        add_reporting,
        add_seed,
    )

    p = sub.add_parser("lyapunov", help="first k Lyapunov exponents of a rate card (QR / Benettin method)")
    add_model(p)
    add_network(p)
    add_seed(p, "weights from seed, x(0) and tangents from seed + 1")
    p.add_argument("--exponents", type=int, default=None, help="number k of exponents, 1..N (default N)")
    add_integration(p, T=200.0, T_help="measured time after the transient", transient=50.0, chains=None)
    p.add_argument("--t-ons", type=float, default=1.0, help="time between QR re-orthonormalisations (default 1 tau)")
    p.add_argument("--jacobian", default="auto", choices=["auto", "analytic", "autograd"])
    p.add_argument(
        "--cpu-blas",
        default="numpy",
        choices=["numpy", "torch"],
        help="on the CPU, the BLAS of the tangent products: numpy's (default) or torch's",
    )
    p.add_argument(
        "--out", default=None, help="also write the spectrum, its convergence trace and settings to this .json"
    )
    add_overwrite(p)
    add_execution(p, executor=False)
    add_reporting(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..analysis.lyapunov import compute_model_lyapunov
    from .common import check_outputs, require_suffix

    if args.out is not None:  # checked before the computation, not after
        require_suffix(args.out, ".json")
        check_outputs(args, args.out)

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
        cpu_blas=args.cpu_blas,
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
    values = [f"{v:.4f}" for v in res.spectrum]
    print(f"exponents ({len(values)}, 1/tau):")
    for i in range(0, len(values), 10):
        print("  " + " ".join(values[i : i + 10]))
    if args.out is not None:
        from ..io import save_json

        print(save_json(args.out, res.to_dict(trace=True)))
    return 0


__all__ = ["register", "run"]
