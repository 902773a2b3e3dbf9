"""Spiking chaotic_lif network: wall time of 1 s of biological time, cpp_standalone vs runtime.

N = 10,000 and 100,000 neurons with the card's in-degree kept fixed
(p = C / N, C = 400 as at the card's default N = 2000 and p = 0.2), dt = 0.1 ms,
exponential Euler. cpp_standalone: the compiled network loop for the full
duration (Brian2's own timer), build time apart. Runtime (numpy target):
run() timed at T and 2T (T shorter for large N), the difference scaled to 1 s
so that creating the objects is not counted (the JSON says so). cuda_standalone runs when brian2cuda and a GPU are present; otherwise
the JSON records why not.

Writes ``benchmarks/results/spiking_<host>.json``. Usage::

    python benchmarks/bench_spiking.py [--sizes 10000,100000] [--T-ms 1000] [--runtime-T-ms 500,50]
        [--skip-runtime] [--profile] [--cuda-variants '{"blocks_per_SM": {"parallel_blocks": null}}']

``--profile`` adds a profiled run of each standalone device (seconds per code object:
where the time goes); ``--cuda-variants`` times brian2cuda preference sets besides
the defaults, with the same model and recorded output.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from pathlib import Path

from bench_record import write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from neurochaos.executors import RunConfig, get_executor  # noqa: E402
from neurochaos.executors.brian_cuda import cuda_missing  # noqa: E402
from neurochaos.model import build_spiking_network, initial_potentials  # noqa: E402

IN_DEGREE = 400


def gpu_name():
    if not torch_cuda():
        return None
    import torch

    return torch.cuda.get_device_name()


def torch_cuda() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def time_one(name: str, net, T_ms: float, v0, **options) -> dict:
    """Build and run ``net`` for ``T_ms`` on executor ``name`` (``options``: its keyword arguments)."""
    cfg = RunConfig(T=T_ms / net.tau_ms, dt=0.005, method="exponential_euler")
    t0 = time.perf_counter()
    with get_executor(name, kind="spiking", record_v=0, **options) as ex:
        ex.prepare(net, cfg)
        tr = ex.run(v0)
    wall = time.perf_counter() - t0
    loop = tr.meta.get("network_run_seconds") or tr.meta["seconds"]
    return {
        "biological_ms": T_ms,
        "loop_seconds": loop,
        "loop_seconds_per_biological_second": loop * 1000.0 / T_ms,
        "build_seconds": tr.meta.get("build_seconds"),
        "wall_seconds_total": wall,
        "mean_rate_hz": float(tr.rates_hz().mean()),
        "spikes": len(tr.spike_t_ms),
        **({"options": options} if options else {}),
        **({"seconds_per_code_object": tr.meta["profile"]} if tr.meta.get("profile") else {}),
    }


def main(argv=None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--T-ms", type=float, default=1000.0, help="biological time of the standalone runs")
    ap.add_argument("--runtime-T-ms", default="500,50", help="biological time of the runtime runs, per size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-runtime", action="store_true", help="time only the standalone devices (cpp, cuda)")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also a profiled run of each standalone device: seconds per code object (Brian2's and "
        "brian2cuda's profiling switch; brian2cuda synchronises after each code object, so the profiled "
        "total is not the timing)",
    )
    ap.add_argument(
        "--cuda-variants",
        default="",
        help='JSON {"name": {preference: value}}: brian2cuda preference sets (prefs.devices.cuda_standalone) '
        "timed besides the defaults, same model and recorded output",
    )
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    variants = json.loads(args.cuda_variants) if args.cuda_variants else {}
    sizes = [int(s) for s in args.sizes.split(",")]
    rt_T = [float(s) for s in args.runtime_T_ms.split(",")]
    missing = cuda_missing()
    results = []
    for N, T_rt in zip(sizes, rt_T):
        t = time.perf_counter()
        net = build_spiking_network("chaotic_lif", N=N, seed=args.seed, params={"p": IN_DEGREE / N})
        draw = time.perf_counter() - t
        v0 = initial_potentials(net, 1, seed=args.seed + 1)
        row = {"N": N, "p": IN_DEGREE / N, "synapses": len(net.connections["rand"][0]), "draw_seconds": draw}
        print(f"N={N}: {row['synapses']} synapses", flush=True)
        row["brian2-cpp"] = time_one("brian2-cpp", net, args.T_ms, v0)
        print("  cpp", row["brian2-cpp"], flush=True)
        cpp_s = row["brian2-cpp"]["loop_seconds_per_biological_second"]
        if args.profile:
            row["brian2-cpp profiled"] = time_one("brian2-cpp", net, args.T_ms, v0, profile=True)
        if not missing:
            row["brian2-cuda"] = time_one("brian2-cuda", net, args.T_ms, v0)
            print("  cuda", row["brian2-cuda"], flush=True)
            row["cpp_over_cuda"] = cpp_s / row["brian2-cuda"]["loop_seconds_per_biological_second"]
            if args.profile:
                row["brian2-cuda profiled"] = time_one("brian2-cuda", net, args.T_ms, v0, profile=True)
                print("  cuda profiled", row["brian2-cuda profiled"], flush=True)
            for vname, prefs in variants.items():
                r = time_one("brian2-cuda", net, args.T_ms, v0, cuda_prefs=prefs)
                r["cpp_over_cuda"] = cpp_s / r["loop_seconds_per_biological_second"]
                r["same_spikes_as_default"] = r["spikes"] == row["brian2-cuda"]["spikes"]
                row[f"brian2-cuda {vname}"] = r
                print(f"  cuda {vname}", r, flush=True)
        if args.skip_runtime:
            results.append(row)
            continue
        # runtime: two durations, so that object creation (connect of all synapses) is not scaled up
        rt = time_one("brian2-runtime", net, T_rt, v0)
        rt2 = time_one("brian2-runtime", net, 2 * T_rt, v0)
        slope = (rt2["loop_seconds"] - rt["loop_seconds"]) * 1000.0 / T_rt
        rt.update(
            loop_seconds_per_biological_second=slope,
            wall_seconds_2x=rt2["loop_seconds"],
            setup_seconds_estimate=rt["loop_seconds"] - slope * T_rt / 1000.0,
            scaled_to_1s=True,
        )
        row["brian2-runtime"] = rt
        print("  runtime", rt, flush=True)
        row["runtime_over_cpp"] = (
            rt["loop_seconds_per_biological_second"] / (row["brian2-cpp"]["loop_seconds_per_biological_second"])
        )
        results.append(row)
    import brian2  # noqa: F401  (its version is recorded)

    return write_result(
        {
            "benchmark": "bench_spiking",
            "model": "chaotic_lif (card defaults, p = 400 / N), dt = 0.1 ms, exponential_euler, 1 chain",
            "note": "shared machine: 2 cores used by several agents at once; times are upper bounds"
            if not torch_cuda()
            else "device machine with a GPU (cuda_standalone run); cpp_standalone single-threaded",
            "runtime_note": "runtime: run() timed at T and 2T (object creation and connect included in each); "
            "loop_seconds_per_biological_second = (wall(2T) - wall(T)) / T, i.e. scaled to 1 s of biological time",
            "cuda": "not run: " + "; ".join(missing) if missing else "run",
            "gpu": gpu_name(),
            "seed": args.seed,
            "results": results,
        },
        args.out,
        f"spiking_{socket.gethostname()}",
    )


if __name__ == "__main__":
    main()
