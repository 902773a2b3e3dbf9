"""Benchmark: full Lyapunov spectrum (k = N) by the QR method, torch engine vs plain numpy.

Both sides run the same algorithm on the same network, x(0) and initial
tangent vectors: Euler step x <- x + dt(-x + W tanh(x)), tangents
Q <- (1 - dt) Q + dt W diag(1 - tanh(x)^2) Q, QR every t_ons = 1 tau,
N in {500, 1000}, g = 2, 200 tau. The torch side is
:func:`neurochaos.analysis.compute_lyapunov_spectrum` (CPU, and CUDA when
present; on the CPU timed both with its default ``cpu_blas="numpy"`` (torch's pool held at
one thread meanwhile) and with ``cpu_blas="torch"``); the numpy side is the straightforward loop below. Writes
``benchmarks/results/lyapunov_<host>.json`` with wall times and their ratio.

Usage::

    python benchmarks/bench_lyapunov.py [--quick] [--threads 1] [--sizes 500 1000]

``--quick`` measures 20 tau instead of 200 (same per-step work, 10x fewer steps).
"""

from __future__ import annotations

import argparse
import os
import socket
import time
from pathlib import Path

from bench_record import write_result


def numpy_qr_spectrum(W, x0, Q0, *, dt: float, n_ons: int, n_intervals: int):
    """Reference: the QR method written directly in numpy. Returns lambda (k,), 1/tau."""
    import numpy as np

    x, Q = x0.copy(), Q0.copy()
    total = np.zeros(Q.shape[1])
    for _ in range(n_intervals):
        for _ in range(n_ons):
            r = np.tanh(x)
            WV = W @ np.concatenate([r[:, None], (1 - r * r)[:, None] * Q], axis=1)
            x = x + dt * (-x + WV[:, 0])
            Q = (1 - dt) * Q + dt * WV[:, 1:]
        Q, R = np.linalg.qr(Q)
        total += np.log(np.abs(np.diag(R)))
    return np.sort(total / (n_intervals * n_ons * dt))[::-1]


def main(argv=None) -> Path:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="20 tau instead of 200")
    p.add_argument("--threads", type=int, default=1, help="BLAS / torch threads for both sides (default 1)")
    p.add_argument("--sizes", type=int, nargs="+", default=[500, 1000])
    p.add_argument("--g", type=float, default=2.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="output JSON (default benchmarks/results/lyapunov_<host>.json)")
    a = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(a.threads)
    import numpy as np
    import torch

    from neurochaos.analysis import compute_lyapunov_spectrum
    from neurochaos.model import build_network, seed_streams

    torch.set_num_threads(a.threads)
    T, dt, t_ons = (20.0 if a.quick else 200.0), 0.1, 1.0
    n_ons, n_int = int(round(t_ons / dt)), int(round(T / t_ons))
    cuda = torch.cuda.is_available()
    result = {
        "benchmark": "full Lyapunov spectrum (k = N), QR method, Euler dt = 0.1, t_ons = 1 tau, transient 0",
        "T_tau": T,
        "quick": a.quick,
        "g": a.g,
        "seed": a.seed,
        "threads": a.threads,
        "note": "2-core CPU dev machine shared with other jobs",
        "sizes": {},
    }
    for N in a.sizes:
        net = build_network("chaotic_rate", N=N, g=a.g, seed=a.seed)
        rng_x, rng_q = seed_streams(a.seed + 1, 2)
        x0 = rng_x.normal(size=N)
        Q0 = np.linalg.qr(rng_q.normal(size=(N, N)))[0]  # what compute_lyapunov_spectrum draws from the same seed
        W = a.g * net.weights["rand"]
        t0 = time.perf_counter()
        lam_np = numpy_qr_spectrum(W, x0, Q0, dt=dt, n_ons=n_ons, n_intervals=n_int)
        t_np = time.perf_counter() - t0
        kw = dict(k=N, T=T, t_ons=t_ons, transient=0.0, dt=dt, x0=x0[None, :], seed=a.seed + 1)
        t0 = time.perf_counter()
        res = compute_lyapunov_spectrum(net, **kw)  # default: CPU products through numpy's BLAS
        t_torch = time.perf_counter() - t0
        t0 = time.perf_counter()
        pure = compute_lyapunov_spectrum(net, **kw, cpu_blas="torch")  # every product in torch (MKL)
        t_pure = time.perf_counter() - t0
        entry = {
            "seconds_numpy": t_np,
            "seconds_torch_cpu": t_torch,
            "ratio_numpy_over_torch_cpu": t_np / t_torch,
            "seconds_torch_cpu_pure_torch_blas": t_pure,
            "ratio_numpy_over_torch_cpu_pure_torch_blas": t_np / t_pure,
            "lambda_max_numpy": float(lam_np[0]),
            "lambda_max_torch": res.lambda_max,
            "max_abs_spectrum_difference": float(np.abs(lam_np - res.spectrum).max()),
            "max_abs_spectrum_difference_pure_torch_blas": float(np.abs(lam_np - pure.spectrum).max()),
            "kaplan_yorke_dim": res.kaplan_yorke_dim,
            "steps": n_ons * n_int,
        }
        if cuda:
            for dtype in ("float64", "float32"):
                compute_lyapunov_spectrum(net, **{**kw, "T": 2.0}, device="cuda", dtype=dtype)  # warm-up
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                r = compute_lyapunov_spectrum(net, **kw, device="cuda", dtype=dtype)
                torch.cuda.synchronize()
                entry[f"seconds_torch_cuda_{dtype}"] = time.perf_counter() - t0
                entry[f"ratio_numpy_over_cuda_{dtype}"] = t_np / entry[f"seconds_torch_cuda_{dtype}"]
                entry[f"lambda_max_cuda_{dtype}"] = r.lambda_max
        result["sizes"][str(N)] = entry
        print(N, {k: round(v, 4) if isinstance(v, float) else v for k, v in entry.items()}, flush=True)
    return write_result(result, a.out, f"lyapunov_{socket.gethostname()}")


if __name__ == "__main__":
    main()
