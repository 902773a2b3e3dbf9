"""``neurochaos autocorr MODEL ...``: simulated Delta0 and Delta(s) (time- and unit-averaged)."""

from __future__ import annotations

import json


def register(sub):
    from .common import add_execution, add_integration, add_model, add_network, add_reporting, add_seed

    p = sub.add_parser("autocorr", help="simulate a card and estimate Delta0, Delta(s) and the participation ratio")
    add_model(p)
    add_network(p, N=3000, g=2.0)
    add_integration(p, T=300.0, T_help="averaging window after the transient", transient=50.0)
    p.add_argument("--max-lag", type=float, default=20.0, help="largest lag, units of tau (default 20)")
    add_seed(p)
    add_execution(p, executor=False, dtype=False)
    add_reporting(p)
    p.set_defaults(func=run)


def _dmft(args, ac) -> dict:
    """DMFT prediction at the simulated lags, or why there is none (structured/mixed cards)."""
    from ..analysis.dmft import check_dmft_model, solve_dmft
    from ..errors import ModelError

    try:
        check_dmft_model(args.model)
    except ModelError as e:
        return {"applicable": False, "reason": str(e)}
    sol = solve_dmft(ac.settings["g"], s_max=float(ac.s[-1]), n_s=len(ac.s))
    return {"applicable": True, **sol.to_dict()}


def run(args) -> int:
    from ..analysis.stats import measure_autocorrelation
    from ..validation import check_float

    check_float(args.max_lag, "--max-lag", low=0.0, low_open=True)  # > 0: the DMFT curve needs a lag range
    ac = measure_autocorrelation(
        args.model,
        N=args.N,
        g=args.g,
        P=args.P,
        T=args.T,
        transient=args.transient,
        max_lag=args.max_lag,
        dt=args.dt,
        method=args.method,
        chains=args.chains,
        seed=args.seed,
        device=args.device,
        progress=not args.no_progress,
    )
    th = _dmft(args, ac)
    if args.json:
        print(json.dumps({**ac.to_dict(), "dmft": th}))
        return 0
    s = ac.settings
    print(f"{s['model']} N={s['N']} g={s['g']:g} seed={s['seed']}: window {s['window']:g} tau after {s['transient']:g}")
    print(f"delta0 = {ac.delta0:.6f}" + (f"   DMFT {th['delta0']:.6f}" if th["applicable"] else ""))
    for lag in (1.0, 2.0, 5.0, 10.0):
        if lag <= ac.s[-1]:
            i = int(abs(ac.s - lag).argmin())
            dmft = f"   DMFT {th['delta'][i]:.6f}" if th["applicable"] else ""
            print(f"delta({ac.s[i]:g}) = {ac.delta[i]:.6f}{dmft}")
    if not th["applicable"]:
        print(f"DMFT not shown: {th['reason']}")
    print(f"participation ratio of tanh(x) = {ac.participation_ratio:.2f}")
    return 0


__all__ = ["register", "run"]
