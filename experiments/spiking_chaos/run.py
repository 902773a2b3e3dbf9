"""Rate chaos in the spiking chaotic_lif network: statistics and divergence vs the coupling gain g.

For each g, two chains of one cpp_standalone build (rerun with run_args) start
from the same potentials except neuron 0, and a third pair differs by 1e-6 mV
away from threshold:

- ``straddle``: neuron 0 at v* +- 0.5e-6 mV, v* the potential that reaches the
  threshold in exactly one step (one spike moved by one dt = 0.1 ms: the smallest
  perturbation a clock-driven simulation carries);
- ``plain``: neuron 0 at v0 and v0 + 1e-6 mV (below v*).

Writes ``results/spiking_chaos.json`` and one raster figure per g (``[experiment] out``,
default ``experiments/spiking_chaos``). Usage::

    python experiments/spiking_chaos/run.py [config.toml] [--out DIR]
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from neurochaos.analysis.spikes import (
    cv_isi,
    fano_factor,
    filtered_rates,
    firing_rates,
    rate_autocorrelation_time,
    spike_divergence,
)
from neurochaos.executors import RunConfig, get_executor
from neurochaos.experiment import experiment_cli, read_config, results_folder, save_run_record
from neurochaos.io import save_json
from neurochaos.model import build_spiking_network, initial_potentials
from neurochaos.plotting import plot_raster

HERE = Path(__file__).resolve().parent
SECTIONS = {"experiment": {"out"}, "run": {"N", "T_ms", "gains", "seed"}}


def main(config_path=HERE / "config.toml", out=None, progress: bool = False) -> Path:
    """Run the gains of ``[run]``; returns the results JSON path."""
    conf = read_config(config_path, SECTIONS, complete=True)
    r = conf["run"]
    folder = results_folder(out, conf["experiment"].get("out"), "experiments/spiking_chaos")
    t_start = time.perf_counter()
    args = SimpleNamespace(
        N=int(r["N"]), T_ms=float(r["T_ms"]), seed=int(r["seed"]), gains=[float(g) for g in r["gains"]]
    )
    net = build_spiking_network("chaotic_lif", N=args.N, seed=args.seed)
    N, p = net.N, net.params
    v = np.repeat(initial_potentials(net, 1, seed=args.seed + 1), 4, axis=0)
    v_inf = p["V_L_mV"] + net.bias[0]
    v_star = v_inf + (p["theta_mV"] - v_inf) * np.exp(p["dt"])
    v[0, 0], v[1, 0] = v_star + 5e-7, v_star - 5e-7
    v[2, 0], v[3, 0] = 12.0, 12.0 + 1e-6
    cfg = RunConfig(T=args.T_ms / net.tau_ms, dt=p["dt"], method=p["method"])
    rows = []
    with get_executor("brian2-cpp", kind="spiking", record_v=0) as ex:
        ex.prepare(net, cfg)
        for g in args.gains:
            tr = ex.run(v, gain=g)
            T = tr.duration_ms
            i, t = tr.chain(0)
            rates = firing_rates(i, t, N, T, t_start_ms=500.0)
            _, r = filtered_rates(i, t, N, T, tau_f_ms=50.0, dt_ms=1.0)
            tau_ac, _ = rate_autocorrelation_time(r[500:], 1.0)
            row = {
                "g": g,
                "mean_rate_hz": float(rates.mean()),
                "median_rate_hz": float(np.median(rates)),
                "silent_fraction": float((rates == 0).mean()),
                "cv_isi": float(np.nanmean(cv_isi(i, t, N))),
                "fano_100ms": float(np.nanmean(fano_factor(i, t, N, T, 100.0, 500.0))),
                "rate_autocorrelation_time_ms": tau_ac,
                "divergence": {},
            }
            for label, (a, b) in {"straddle": (0, 1), "plain": (2, 3)}.items():
                for tau_f in (50.0, 200.0):
                    d = spike_divergence(tr.chain(a), tr.chain(b), N, T, tau_f_ms=tau_f)
                    row["divergence"][f"{label}_tau_f_{int(tau_f)}ms"] = {
                        "final_distance": d["final_distance"],
                        "first_difference_ms": d["first_difference_ms"],
                    }
            rows.append(row)
            print(row, flush=True)
            plot_raster(tr, folder / f"raster_g{g:g}.png", title=f"chaotic_lif, N = {N}, g = {g:g}")
    save_run_record(folder, config_path, conf, {"run": time.perf_counter() - t_start})
    return save_json(
        folder / "results" / "spiking_chaos.json",
        {"N": N, "T_ms": args.T_ms, "seed": args.seed, "host": socket.gethostname(), "params": p, "rows": rows},
    )


if __name__ == "__main__":
    raise SystemExit(experiment_cli(main, __doc__, HERE / "config.toml"))
