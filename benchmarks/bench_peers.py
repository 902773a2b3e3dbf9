"""neurochaos against its peers on the same CPU work: rate steps, a Lyapunov spectrum, start-up.

Contenders, interleaved in one process and repeated (median and min-max of ``--reps``):

- **rate step** of the dense chaotic network ``x <- x + dt (-x + W tanh x)`` (g = 1.5,
  dt = 0.1 tau, the same W and x(0) for all; final states compared):
  neurochaos (``get_executor("torch")`` and ``get_executor("numpy")`` with their defaults),
  a bare numpy loop, a bare torch
  loop, and plain JAX (``jit`` over ``lax.scan``), over N x M x dtype;
- **Lyapunov spectrum** (N = 500, k = 20 exponents, QR every step, 100 tau):
  ``compute_lyapunov_spectrum`` against the same QR method in numpy and in JAX (one
  ``lax.scan``); spectra compared;
- **start-up** in fresh processes: ``neurochaos --help`` and
  ``neurochaos simulate chaotic_rate --N 500 --T 100`` (wall and peak memory; the default
  executor, "auto" = numpy on the CPU, and ``--executor torch``), against a
  bare numpy script doing the same simulation.

BrainPy is not installed in this environment (no wheel in the offline index); the JSON says
so. JAX comes from the ``bench`` extra (``pip install -e '.[bench]'``); without it the JAX
columns are reported as skipped. Ratios are neurochaos / peer (< 1: neurochaos is faster).
Writes ``benchmarks/results/peers_<host>.json``. Usage::

    python benchmarks/bench_peers.py [--quick] [--reps 5] [--only rate lyapunov startup]
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_record import write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from neurochaos.executors import RunConfig, get_executor  # noqa: E402
from neurochaos.model import build_network, initial_state, seed_streams  # noqa: E402

DT = 0.1


def _jax():
    """The jax module with float64 enabled, or None when it is not installed."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    return jax


# ------------------------------------------------------------------------------------------------ rate step
def numpy_rate(W, x0, steps, dtype):
    """Bare numpy: X (N, M), one product per step. Returns (seconds, final x (M, N))."""
    X = np.ascontiguousarray(x0.T.astype(dtype))
    Wd = W.astype(dtype)
    dt = dtype(DT)
    t = time.perf_counter()
    for _ in range(steps):
        X += dt * (-X + Wd @ np.tanh(X))
    return time.perf_counter() - t, X.T


def torch_rate(W, x0, steps, dtype):
    """Bare torch: X (M, N) @ W.T per step, no_grad."""
    import torch

    td = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    X = torch.as_tensor(x0, dtype=td)
    WT = torch.as_tensor(np.ascontiguousarray(W.T), dtype=td)
    with torch.no_grad():
        t = time.perf_counter()
        for _ in range(steps):
            X = X + DT * (-X + torch.tanh(X) @ WT)
        return time.perf_counter() - t, X.numpy()


def jax_rate_runner(W, steps, dtype):
    """A compiled ``lax.scan`` of ``steps`` steps; returns run(x0) -> (seconds, final x)."""
    jax = _jax()
    import jax.numpy as jnp

    Wj = jnp.asarray(W, dtype)

    @jax.jit
    def run(X):
        def body(X, _):
            return X + DT * (-X + Wj @ jnp.tanh(X)), None

        return jax.lax.scan(body, X, None, length=steps)[0]

    def timed(x0):
        X = jnp.asarray(x0.T, dtype)
        t = time.perf_counter()
        out = run(X).block_until_ready()
        return time.perf_counter() - t, np.asarray(out).T

    return timed


def neurochaos_rate_runner(net, steps, dtype, executor="torch"):
    """An executor with its defaults, prepared once; returns (run(x0) -> (seconds, final x), executor)."""
    cfg = RunConfig(
        T=steps * DT, dt=DT, record_every=steps, dtype={np.float64: "float64", np.float32: "float32"}[dtype]
    )
    ex = get_executor(executor)
    ex.prepare(net, cfg)

    def timed(x0):
        tr = ex.run(x0)
        return tr.meta["seconds"], tr.x_final

    return timed, ex


def bench_rate(sizes, chains, dtypes, reps, flop_budget):
    jax = _jax()
    rows = []
    for N in sizes:
        net = build_network("chaotic_rate", N=N, g=1.5, seed=0)
        W = net.effective_coupling()
        for M in chains:
            x0 = initial_state(net, M, seed=1)
            steps = int(min(1000, max(20, flop_budget / (2 * M * N * N))))
            for dtype in dtypes:
                runs = {"numpy": lambda x, d=dtype, W=W, s=steps: numpy_rate(W, x, s, d),
                        "torch": lambda x, d=dtype, W=W, s=steps: torch_rate(W, x, s, d)}  # fmt: skip
                nc, ex = neurochaos_rate_runner(net, steps, dtype)
                runs["neurochaos"] = nc
                nc_np, ex_np = neurochaos_rate_runner(net, steps, dtype, "numpy")
                runs["neurochaos_numpy"] = nc_np
                if jax is not None:
                    runs["jax"] = jax_rate_runner(W, steps, dtype)
                for fn in runs.values():  # warm-up: allocations, first BLAS call, jit compile
                    fn(x0)
                times = {k: [] for k in runs}
                finals = {}
                for _ in range(reps):
                    for k, fn in runs.items():
                        sec, finals[k] = fn(x0)
                        times[k].append(1e6 * sec / steps)
                ex.close()
                ex_np.close()
                ref = finals["numpy"]
                row = {
                    "N": N, "M": M, "dtype": np.dtype(dtype).name, "steps": steps,
                    "us_per_step": {k: float(np.median(v)) for k, v in times.items()},
                    "us_min_max": {k: [float(min(v)), float(max(v))] for k, v in times.items()},
                    "max_abs_diff_vs_numpy": {k: float(np.abs(v - ref).max()) for k, v in finals.items() if k != "numpy"},
                }  # fmt: skip
                t = row["us_per_step"]
                row["neurochaos_over"] = {k: t["neurochaos"] / t[k] for k in t if k != "neurochaos"}
                row["neurochaos_numpy_over"] = {k: t["neurochaos_numpy"] / t[k] for k in t if k != "neurochaos_numpy"}
                if jax is None:
                    row["skipped"] = {"jax": "not installed (pip install -e '.[bench]')"}
                rows.append(row)
                print(
                    f"rate N={N:5d} M={M:4d} {row['dtype']:8s} "
                    + "  ".join(f"{k} {v:10.1f}" for k, v in t.items())
                    + "  us/step; over jax: torch executor "
                    + (f"{row['neurochaos_over']['jax']:.2f}" if "jax" in t else "-")
                    + ", numpy executor "
                    + (f"{row['neurochaos_numpy_over']['jax']:.2f}" if "jax" in t else "-"),
                    flush=True,
                )
    return rows


# ------------------------------------------------------------------------------------------------ Lyapunov
def numpy_lyapunov(W, x0, Q0, steps):
    x, Q = x0.copy(), Q0.copy()
    total = np.zeros(Q.shape[1])
    t = time.perf_counter()
    for _ in range(steps):
        r = np.tanh(x)
        WV = W @ np.concatenate([r[:, None], (1 - r * r)[:, None] * Q], axis=1)
        x = x + DT * (-x + WV[:, 0])
        Q, R = np.linalg.qr((1 - DT) * Q + DT * WV[:, 1:])
        total += np.log(np.abs(np.diag(R)))
    return time.perf_counter() - t, np.sort(total / (steps * DT))[::-1]


def jax_lyapunov_runner(W, steps):
    jax = _jax()
    import jax.numpy as jnp

    Wj = jnp.asarray(W)

    @jax.jit
    def run(x, Q):
        def body(carry, _):
            x, Q, total = carry
            r = jnp.tanh(x)
            WV = Wj @ jnp.concatenate([r[:, None], (1 - r * r)[:, None] * Q], axis=1)
            x = x + DT * (-x + WV[:, 0])
            Q, R = jnp.linalg.qr((1 - DT) * Q + DT * WV[:, 1:])
            return (x, Q, total + jnp.log(jnp.abs(jnp.diag(R)))), None

        return jax.lax.scan(body, (x, Q, jnp.zeros(Q.shape[1])), None, length=steps)[0][2]

    def timed(x0, Q0):
        t = time.perf_counter()
        total = run(jnp.asarray(x0), jnp.asarray(Q0)).block_until_ready()
        return time.perf_counter() - t, np.sort(np.asarray(total) / (steps * DT))[::-1]

    return timed


def bench_lyapunov(N, k, T, reps):
    from neurochaos.analysis import compute_lyapunov_spectrum

    jax = _jax()
    net = build_network("chaotic_rate", N=N, g=1.5, seed=0)
    W = net.effective_coupling()
    steps = int(round(T / DT))
    seed = 3
    x0 = np.random.default_rng(1).normal(size=N)
    Q0 = np.linalg.qr(seed_streams(seed, 2)[1].normal(size=(N, k)))[0]  # what neurochaos draws from `seed`

    def nc(x0, Q0):
        t = time.perf_counter()
        res = compute_lyapunov_spectrum(net, k=k, T=T, t_ons=DT, transient=0.0, x0=x0[None, :], seed=seed)
        return time.perf_counter() - t, res.spectrum

    runs = {"neurochaos": nc, "numpy": lambda x, q: numpy_lyapunov(W, x, q, steps)}
    if jax is not None:
        runs["jax"] = jax_lyapunov_runner(W, steps)
    for fn in runs.values():
        fn(x0, Q0)
    times, spectra = {k_: [] for k_ in runs}, {}
    for _ in range(reps):
        for name, fn in runs.items():
            sec, spectra[name] = fn(x0, Q0)
            times[name].append(sec)
    t = {k_: float(np.median(v)) for k_, v in times.items()}
    out = {
        "N": N, "k": k, "T_tau": T, "t_ons_tau": DT, "steps": steps,
        "seconds": t, "seconds_min_max": {k_: [min(v), max(v)] for k_, v in times.items()},
        "neurochaos_over": {k_: t["neurochaos"] / t[k_] for k_ in t if k_ != "neurochaos"},
        "max_abs_spectrum_diff_vs_numpy": {k_: float(np.abs(v - spectra["numpy"]).max()) for k_, v in spectra.items()},
        "lambda_max": float(spectra["neurochaos"][0]),
    }  # fmt: skip
    print(f"lyapunov N={N} k={k}: " + "  ".join(f"{k_} {v:.3f} s" for k_, v in t.items()), flush=True)
    return out


# ------------------------------------------------------------------------------------------------ start-up
BARE_SIMULATE = """
import numpy as np
rng = np.random.default_rng(0)
N = 500
W = 1.5 * rng.normal(size=(N, N)) / np.sqrt(N)
x = rng.normal(size=N)
out = np.empty((1000, N))
for n in range(1000):
    out[n] = x
    x = x + 0.1 * (-x + W @ np.tanh(x))
np.savez("{out}", x=out)
"""


#: Runs one command and prints its wall time and peak RSS. A small process of its own starts it,
#: so that the child's ru_maxrss (which counts the forked copy before exec) is not this one's.
LAUNCHER = """
import json, os, subprocess, sys, time
t = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "rss_kib": usage.ru_maxrss, "rc": os.waitstatus_to_exitcode(status),
                  "err": proc.stderr.read().decode()[-2000:]}))
"""


def _timed_process(argv, env):
    """(wall seconds, peak RSS in MiB) of one fresh process."""
    import json

    out = subprocess.run([sys.executable, "-c", LAUNCHER, *argv], capture_output=True, text=True, env=env, check=True)
    r = json.loads(out.stdout)
    if r["rc"] != 0:
        raise RuntimeError(f"{argv} failed: {r['err']}")
    return r["wall"], r["rss_kib"] / 1024


def bench_startup(reps):
    exe = str(Path(sys.executable).parent / "neurochaos")
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        sim = [exe, "simulate", "chaotic_rate", "--N", "500", "--T", "100", "--out", f"{tmp}/x.npz",
               "--overwrite", "--no-progress"]  # fmt: skip
        bare = [sys.executable, "-c", BARE_SIMULATE.format(out=f"{tmp}/bare.npz")]
        cases = {"help": [exe, "--help"], "simulate": sim, "simulate_torch": [*sim, "--executor", "torch"],
                 "bare_numpy_simulate": bare}  # fmt: skip
        _timed_process(sim, env)  # fills the disk cache of Brian2's answers (neurochaos.derived), as any first run
        samples = {k: [] for k in cases}
        for _ in range(reps):
            for name, argv in cases.items():
                samples[name].append(_timed_process(argv, env))
    out = {
        name: {
            "wall_s": float(np.median([w for w, _ in v])),
            "wall_min_max_s": [min(w for w, _ in v), max(w for w, _ in v)],
            "peak_rss_mib": float(np.median([m for _, m in v])),
        }
        for name, v in samples.items()
    }
    out["targets"] = {"help_wall_s": 0.5, "simulate_wall_s": 2.0}
    out["cache"] = env.get("NEUROCHAOS_CACHE", "default (XDG cache)")
    print("startup " + "  ".join(f"{k} {v['wall_s']:.2f} s {v['peak_rss_mib']:.0f} MiB" for k, v in out.items()
                                 if isinstance(v, dict) and "wall_s" in v), flush=True)  # fmt: skip
    return out


def main(argv=None) -> Path:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="N {500, 1284}, M {1, 50}, float64; 3 reps")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument(
        "--only", nargs="+", default=["rate", "lyapunov", "startup"], choices=["rate", "lyapunov", "startup"]
    )
    p.add_argument("--flop-budget", type=float, default=2e10, help="rate steps per cell: budget / (2 M N^2), 20..1000")
    p.add_argument("--out", default=None, help="output JSON (default benchmarks/results/peers_<host>.json)")
    a = p.parse_args(argv)
    import torch

    sizes, chains, dtypes = [500, 1284, 4000], [1, 50, 500], [np.float64, np.float32]
    reps = a.reps
    if a.quick:
        sizes, chains, dtypes, reps = [500, 1284], [1, 50], [np.float64], min(reps, 3)
    jax = _jax()
    result = {
        "benchmark": "bench_peers",
        "loadavg_before": os.getloadavg(),
        "torch_threads": torch.get_num_threads(),
        "reps": reps,
        "peers": {"jax": jax.__version__ if jax else "not installed", "brainpy": "not installed (no wheel offline)"},
    }
    if "rate" in a.only:
        result["rate"] = bench_rate(sizes, chains, dtypes, reps, a.flop_budget)
    if "lyapunov" in a.only:
        result["lyapunov"] = bench_lyapunov(500, 20, 100.0, reps)
    if "startup" in a.only:
        result["startup"] = bench_startup(reps)
    result["loadavg_after"] = os.getloadavg()
    result["peak_rss_mib_this_process"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return write_result(result, a.out, f"peers_{socket.gethostname()}")


if __name__ == "__main__":
    main()
