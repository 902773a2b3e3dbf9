"""``neurochaos dmft --g G``: mean-field Delta0 and Delta(s) of the random network."""

from __future__ import annotations

import json


def register(sub):
    from .common import add_reporting

    p = sub.add_parser("dmft", help="dynamical mean-field Delta0 and autocorrelation Delta(s) of the random network")
    p.add_argument("--g", type=float, required=True, help="gain of the random coupling")
    p.add_argument("--model", default="chaotic_rate", help="card the theory is checked against (default chaotic_rate)")
    p.add_argument("--s-max", type=float, default=20.0, help="largest lag, units of tau (default 20)")
    p.add_argument("--n-s", type=int, default=201, help="number of lags (default 201)")
    p.add_argument(
        "--order", type=int, default=None, help="fixed Gauss-Hermite nodes (default: adaptive rule, see --tol)"
    )
    p.add_argument("--tol", type=float, default=1e-8, help="relative tolerance of the adaptive rule (default 1e-8)")
    p.add_argument("--max-order", type=int, default=1024, help="largest adaptive order tried (default 1024)")
    add_reporting(p, progress=False)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..analysis.dmft import solve_dmft

    options = {key: getattr(args, key) for key in ("model", "s_max", "n_s", "order", "tol", "max_order")}
    sol = solve_dmft(args.g, **options)  # the flags are solve_dmft's keywords
    if args.json:
        print(json.dumps(sol.to_dict()))
        return 0
    st = sol.settings
    tol = f", tol {st['tol']:g}" if st["tol"] is not None else ""
    print(f"DMFT, random tanh network, g = {sol.g:g} ({st['rule']} order {st['order']}{tol})")
    print(f"delta0 = {sol.delta0:.6f}" + ("  (g <= 1: x = 0 is stable)" if sol.delta0 == 0 else ""))
    for s in (1.0, 2.0, 5.0, 10.0):
        if s <= sol.s[-1]:
            i = int(abs(sol.s - s).argmin())
            print(f"delta({sol.s[i]:g}) = {sol.delta[i]:.6f}")
    return 0


__all__ = ["register", "run"]
