"""Seconds per contrastive Hebbian training step on the CPU, fused trainer, against named baselines.

The network of the MNIST-on-a-CPU runs (``experiments/chaos_driven_sampling/mnist_*.toml``):
restricted2, 784 visible + 200 hidden, M = 50 chains, T = 5 tau at dt = 0.1 (50 + 50
integration steps), float32. Measured in one run, on the same threads:

- ``fused``: :class:`~neurochaos.learning.fused.FusedTrainer`, default options (folded
  pathways, clamped phase on the hidden units only);
- ``fused_full_clamped``: the same with ``reduce=False`` (the whole network integrated in
  the clamped phase too, as before 2026-12-04);
- ``bare_torch``: a hand-written torch loop of the full formulation, both phases over all
  N units, ``x += dt * (-x + tanh(x) @ K.T + b)``, plus the Hebbian update;
- ``gemm_full``: the matrix products of the full formulation alone (100 products
  (M, N) x (N, N)), the floor of a step that integrates every unit in both phases.

Writes ``benchmarks/results/training_<host>.json``. Usage::

    python benchmarks/bench_training.py [--threads 1] [--steps 20] [--hidden 200] [--M 50] [--T 5]

At the paper's size (the GPU target's network, measured on the CPU)::

    python benchmarks/bench_training.py --threads 2 --steps 2 --repeats 2 --hidden 500 --M 500 --T 10
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from pathlib import Path

import numpy as np
from bench_record import write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_of(fn, steps: int, repeats: int = 3) -> float:
    """Smallest mean seconds per call of ``fn`` over ``repeats`` blocks of ``steps`` calls (after one warm-up)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(steps):
            fn()
        best = min(best, (time.perf_counter() - t) / steps)
    return best


def main(argv=None) -> Path:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: one core)")
    p.add_argument("--steps", type=int, default=20, help="training steps per timed block")
    p.add_argument("--hidden", type=int, default=200)
    p.add_argument("--M", type=int, default=50)
    p.add_argument("--T", type=float, default=5.0, help="phase length in tau (10: the paper's 100 + 100 steps)")
    p.add_argument("--repeats", type=int, default=3, help="timed blocks per variant (the best is kept)")
    p.add_argument("--out", default=None)
    a = p.parse_args(argv)

    import torch

    from neurochaos.learning import build_generative_network
    from neurochaos.learning.fused import FusedTrainer

    torch.set_num_threads(a.threads)
    nv, M = 784, a.M
    net = build_generative_network("fu_restricted2", n_visible=nv, n_hidden=a.hidden, g=3.0, T=a.T, seed=0)
    data = np.sign(np.random.default_rng(0).normal(size=(1000, nv)))
    rows, counter = {}, [0]

    for name, reduce in (("fused", True), ("fused_full_clamped", False)):
        tr = FusedTrainer(net, data, k=0.01, M=M, dtype="float32", reduce=reduce)
        counter[0] = 0

        def one(tr=tr):
            tr.step(counter[0])
            counter[0] += 1

        rows[name] = {"s_per_step": best_of(one, a.steps, a.repeats), "reduced": tr.reduced, "folded": tr.folded}

    N, n = net.N, tr.n_steps
    g = torch.Generator().manual_seed(0)
    K = (net.g * torch.as_tensor(net.J0, dtype=torch.float32)).contiguous()
    KT, b = K.T.contiguous(), torch.zeros(N)
    mask = torch.as_tensor(net.mask, dtype=torch.float32)
    vis = torch.zeros(N, dtype=torch.bool)
    vis[:nv] = True
    batch = torch.as_tensor(data[:M], dtype=torch.float32)
    dt = net.dt
    s_clamp = torch.cat([batch, torch.zeros(M, N - nv)], 1)

    def bare():
        with torch.no_grad():
            x = torch.zeros(M, N)
            for _ in range(n):
                r = torch.where(vis, s_clamp, torch.tanh(x))
                x += dt * (-x + r @ KT + b)
            s_c = torch.cat([batch, torch.tanh(x[:, nv:])], 1)
            x = torch.randn(M, N, generator=g)
            for _ in range(n):
                x += dt * (-x + torch.tanh(x) @ KT + b)
            s_f = torch.tanh(x)
            dA = (s_c.T @ s_c - s_f.T @ s_f) / M
            K.add_(0.0 * dA * mask)  # the update's memory traffic; K itself kept (timing only)
            b.add_(0.0 * (s_c - s_f).mean(0))

    rows["bare_torch"] = {"s_per_step": best_of(bare, a.steps, a.repeats)}
    r = torch.tanh(torch.randn(M, N, generator=g))

    def gemm():
        for _ in range(2 * n):
            r @ KT

    rows["gemm_full"] = {"s_per_step": best_of(gemm, a.steps, a.repeats), "products": 2 * n, "shape": [M, N, N]}
    base = rows["fused"]["s_per_step"]
    ratios = {f"{k}_over_fused": v["s_per_step"] / base for k, v in rows.items() if k != "fused"}
    for k, v in rows.items():
        print(f"{k:20s} {1e3 * v['s_per_step']:8.1f} ms/step")
    for k, v in ratios.items():
        print(f"{k:32s} {v:.2f}")
    record = {
        "benchmark": "training_step",
        "network": {"card": "fu_restricted2", "n_visible": nv, "n_hidden": a.hidden, "M": M, "T": a.T, "dt": dt},
        "dtype": "float32",
        "threads": a.threads,
        "rows": rows,
        "ratios": ratios,
    }
    return write_result(record, a.out, f"training_{socket.gethostname()}")


if __name__ == "__main__":
    main()
