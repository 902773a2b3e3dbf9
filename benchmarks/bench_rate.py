"""Dense chaotic rate network: wall time per Euler step on every executor.

Baselines measured in the same run:
- Brian2 cpp_standalone with the fair formulation (r stored once per step as a
  state variable; M chains as M copies of the network, M * N^2 synapses);
- a bare BLAS loop in numpy: ``X += dt * (-X + W @ tanh(X))`` with X of shape
  (N, M) (one matrix product for M chains).

Writes ``benchmarks/results/rate_<host>.json``. Usage::

    python benchmarks/bench_rate.py [--quick] [--steps 1000] [--max-synapses 1.5e8]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
from pathlib import Path

import numpy as np
from bench_record import write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from neurochaos.executors import RunConfig, get_executor  # noqa: E402
from neurochaos.model import build_network, initial_state  # noqa: E402


def bare_blas(W: np.ndarray, x0: np.ndarray, steps: int, dt: float) -> float:
    """Seconds for ``steps`` Euler steps of the plain numpy loop (x0: (M, N))."""
    X = np.ascontiguousarray(x0.T)
    t = time.perf_counter()
    for _ in range(steps):
        X += dt * (-X + W @ np.tanh(X))
    return time.perf_counter() - t


def time_executor(name, net, cfg, x0, **options):
    """(seconds per step of the simulation proper, extra info)."""
    with get_executor(name, **options) as ex:
        ex.prepare(net, cfg)
        if name == "torch":
            ex.run(x0)  # warm-up (allocations, first BLAS call)
        tr = ex.run(x0)
    if name.startswith("brian2-") and tr.meta.get("network_run_seconds"):
        secs = tr.meta["network_run_seconds"]  # the compiled network loop, without result I/O
        info = {"wall_seconds_incl_io": tr.meta["seconds"], "build_seconds": tr.meta.get("build_seconds")}
    else:
        secs, info = tr.meta["seconds"], {}
    return secs / cfg.n_steps, info


def main(argv=None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--sizes", default="500,1284,4000")
    ap.add_argument("--chains", default="1,50,500")
    ap.add_argument(
        "--max-synapses",
        type=float,
        default=1.5e8,
        help="skip Brian2 cpp when M*N^2 exceeds this (16 bytes each: indices + weight)",
    )
    ap.add_argument(
        "--max-runtime-synapses",
        type=float,
        default=4e6,
        help="skip Brian2 runtime (numpy target) above this many synapses",
    )
    ap.add_argument(
        "--flop-budget",
        type=float,
        default=4e11,
        help="per (N, M): run fewer than --steps steps when 2*M*N^2*steps exceeds this",
    )
    ap.add_argument("--quick", action="store_true", help="N in {500, 1284}, chains {1, 50}, 200 steps")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    chains = [int(c) for c in args.chains.split(",")]
    steps = args.steps
    if args.quick:
        sizes, chains, steps = [500, 1284], [1, 50], 200
    dt = 0.1
    import torch

    rows = []
    load_before = os.getloadavg()
    for N in sizes:
        net = build_network("chaotic_rate", N=N, g=1.5, seed=0)
        W = net.effective_coupling()
        for M in chains:
            x0 = initial_state(net, M, seed=1)
            # large batches: fewer steps (same for every executor of the row), per-step time is what counts
            n_steps = min(steps, max(20, int(args.flop_budget / (2 * M * N * N))))
            cfg = RunConfig(T=n_steps * dt, dt=dt, record_every=n_steps)
            row = {"N": N, "chains": M, "steps": n_steps, "us_per_step": {}, "skipped": {}, "info": {}}
            row["us_per_step"]["numpy_bare_blas"] = 1e6 * bare_blas(W, x0, n_steps, dt) / n_steps
            for label, name, opts in [
                ("torch_cpu", "torch", {"device": "cpu"}),
                ("torch_cpu_numpy_blas", "torch", {"device": "cpu", "cpu_blas": "numpy"}),
                ("torch_cuda", "torch", {"device": "cuda"}),
                ("brian2_cpp_standalone", "brian2-cpp", {}),
                ("brian2_runtime_numpy", "brian2-runtime", {}),
            ]:
                n_syn = M * N * N
                if name == "torch" and opts["device"] == "cuda" and not torch.cuda.is_available():
                    row["skipped"][label] = "no CUDA device"
                    continue
                if name == "brian2-cpp" and n_syn > args.max_synapses:
                    row["skipped"][label] = (
                        f"{n_syn:.3g} synapses (M copies of N^2) > --max-synapses {args.max_synapses:.3g}: "
                        f"{16 * n_syn / 2**30:.1f} GiB of synapse arrays"
                    )
                    continue
                if name == "brian2-runtime" and n_syn > args.max_runtime_synapses:
                    row["skipped"][label] = f"{n_syn:.3g} synapses > --max-runtime-synapses (numpy target too slow)"
                    continue
                sec, info = time_executor(name, net, cfg, x0, **opts)
                row["us_per_step"][label] = 1e6 * sec
                if info:
                    row["info"][label] = info
                print(f"N={N:5d} M={M:4d} {label:24s} {1e6 * sec:12.1f} us/step", flush=True)
            t = row["us_per_step"]
            ratios = {}
            for label in ("torch_cpu", "torch_cpu_numpy_blas", "torch_cuda"):
                if label in t:
                    ratios[f"{label}_over_bare_blas"] = t[label] / t["numpy_bare_blas"]
                    if "brian2_cpp_standalone" in t:
                        ratios[f"cpp_standalone_over_{label}"] = t["brian2_cpp_standalone"] / t[label]
            row["ratios"] = ratios
            print(f"N={N:5d} M={M:4d} ratios {json.dumps({k: round(v, 2) for k, v in ratios.items()})}", flush=True)
            rows.append(row)
    import brian2  # noqa: F401  (its version is recorded)

    result = {
        "benchmark": "bench_rate",
        "loadavg_before": load_before,
        "torch_threads": torch.get_num_threads(),
        "dt_tau": dt,
        "rows": rows,
    }
    return write_result(result, args.out, f"rate_{socket.gethostname()}")


if __name__ == "__main__":
    main()
