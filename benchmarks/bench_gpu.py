"""GPU benchmarks of the torch engine and the fused trainer (run on the device machine).

All ratios below are measured in this one run on one GPU:

1. one chain, N = 1284 (chaotic_rate, g = 1.5, float32): microseconds per Euler
   step for the eager torch loop, the same loop captured in a CUDA graph, and the
   fused Triton kernel (one kernel per step, graph-captured; W in float32 and bf16).
2. M = 500 chains, N = 1284: graph-captured step vs one same-shape ``torch.matmul``
   (also graph-captured, 100 in a row): the GEMM limit.
3. M = 10000 chains: effective TFLOP/s (2 M N^2 per step) in float32, TF32 and bf16.
4. accuracy cost of each precision: 64 chaotic chains (g = 1.5) from the same x0 in
   float64 and in the lower precision; divergence time = first time the relative
   distance ||x_p - x_64|| / ||x_64|| exceeds 0.1 (median over chains), next to the
   float64 divergence of a 1e-7 perturbation (the chaos itself).
5. the generative training step at paper scale (N_v = 784, N_h = 500, M = 500,
   T = 100 steps per phase, fused trainer, CUDA graph): seconds per step and the
   projection to 300,000 steps; the phase-runner path (numpy update) as baseline;
   the reduced clamped phase against the whole one; the epilogue kernel in TF32 and
   bf16; the GEMM floor of the reduced formulation (100 products of the whole
   (500 x 1284) @ (1284 x 1284) plus 100 of the hidden block (500 x 500) @ (500 x 500)).

Sections 2 and 3 also time the epilogue kernel
(:class:`neurochaos.executors.epilogue.EpilogueStep`: one Triton GEMM per step with the
update and tanh in its epilogue) over a sweep of tiles, against the same-shape product in
the same precision; section 4 gives its divergence times.

6. ``train_accuracy`` (only when asked for in ``--sections``): the accuracy cost of a fast
   mode on real training: ``--train-steps`` steps of the paper-scale model on MNIST in
   float32 and in each fast mode from the same seed (the same minibatches and initial
   states), then the indices (EAAI, AA_truth, AA_syn; 2000 samples) of each.

Times come from CUDA events around replays after warm-up. Writes
``benchmarks/results/gpu_<device>.json``. Usage::

    python benchmarks/bench_gpu.py [--out PATH] [--quick] [--sections a,b,...] [--train-steps N]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

import numpy as np
from bench_record import write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from neurochaos.executors import RunConfig  # noqa: E402
from neurochaos.executors.epilogue import EpilogueStep, Tile, epilogue_missing  # noqa: E402
from neurochaos.executors.torch_engine import _tf32, capture_graph, capture_steps, make_step  # noqa: E402
from neurochaos.model import build_network  # noqa: E402


def cuda_time(fn, repeats: int) -> float:
    """Mean seconds of ``fn()`` over ``repeats`` calls, CUDA events, after 2 warm-ups."""
    import torch

    for _ in range(2):
        fn()
    torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(repeats):
        fn()
    b.record()
    torch.cuda.synchronize()
    return a.elapsed_time(b) / 1000.0 / repeats


def torch_step_times(net, M, precision, chunk, repeats, eager_steps=0, compile=False):
    """(graph seconds per step, eager seconds per step or None) of the generated torch step."""
    import torch

    dtype = "float64" if precision == "float64" else "float32"
    prec = "highest" if precision in ("float32", "float64") else precision
    cfg = RunConfig(T=1.0, dt=0.1, dtype=dtype, device="cuda")
    step = make_step(net, cfg, device="cuda", dtype=dtype, precision=prec, compile=compile)
    x = torch.randn((M, net.N), device="cuda", dtype=step.dtype)
    out = {}
    with torch.no_grad(), _tf32(prec == "tf32"):
        if eager_steps:

            def eager():
                y = x
                for n in range(eager_steps):
                    y = step(y, n)
                return y

            out["eager"] = cuda_time(eager, 3) / eager_steps
        g = capture_steps(step, x.clone(), chunk)
        out["graph"] = cuda_time(g.replay, repeats) / chunk
    return out


def matmul_time(M, N, precision, chunk, repeats):
    import torch

    dt = torch.bfloat16 if precision == "bf16" else torch.float32
    a = torch.randn((M, N), device="cuda", dtype=dt)
    w = torch.randn((N, N), device="cuda", dtype=dt)
    c = torch.empty((M, N), device="cuda", dtype=dt)
    with _tf32(precision == "tf32"):

        def body():
            for _ in range(chunk):
                torch.matmul(a, w, out=c)

        g = capture_graph(body)
        return cuda_time(g.replay, repeats) / chunk


#: Tiles swept for the epilogue kernel (bm, bn, bk, warps, stages).
TILES = [
    Tile(64, 64, 32, 4, 3), Tile(64, 128, 32, 4, 3), Tile(128, 64, 32, 4, 3), Tile(128, 128, 32, 8, 3),
    Tile(64, 64, 64, 4, 4), Tile(64, 128, 64, 4, 3), Tile(128, 128, 64, 8, 3), Tile(32, 64, 32, 4, 4),
]  # fmt: skip


def tile_name(t: Tile) -> str:
    return f"{t.bm}x{t.bn}x{t.bk}_w{t.warps}_s{t.stages}"


def epilogue_net_step(net, M, precision, tile):
    """An EpilogueStep of ``net`` (chaotic_rate) for M chains, loaded with N(0, 1) states."""
    import torch

    W = torch.tensor(net.weights["rand"], dtype=torch.float32, device="cuda")
    b = torch.tensor(
        np.broadcast_to(np.asarray(net.bias, dtype=float), (net.N,)).copy(), dtype=torch.float32, device="cuda"
    )
    step = EpilogueStep(
        net, RunConfig(T=1.0, dt=0.1), weight=W, bias=b, M=M, precision=precision, tile=tile, device="cuda"
    )
    step.load(torch.randn((M, net.N), device="cuda"))
    return step


def epilogue_times(net, M, precision, chunk, repeats, tiles=TILES):
    """{tile name: seconds per step} of the graph-captured epilogue kernel, and the best tile."""
    assert chunk % 2 == 0, "an even chunk leaves the state in its buffer"
    sweep = {}
    for t in tiles:
        try:
            step = epilogue_net_step(net, M, precision, t)
            g = capture_graph(lambda step=step: step.advance(chunk))
            sweep[tile_name(t)] = cuda_time(g.replay, repeats) / chunk
        except Exception as exc:  # a tile that does not compile (shared memory) is recorded, not fatal
            sweep[tile_name(t)] = f"{type(exc).__name__}: {str(exc)[:200]}"
    ok = {k: v for k, v in sweep.items() if isinstance(v, float)}
    best = min(ok, key=ok.get)
    return sweep, best, tiles[[tile_name(t) for t in tiles].index(best)]


def divergence(net, precision, M=64, T=100.0, seed=1):
    """Median time (tau) at which the run in ``precision`` departs from float64 by 10 %."""
    import torch

    n = int(round(T / 0.1))
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=(M, net.N))
    cfg = RunConfig(T=T, dt=0.1, dtype="float64", device="cuda")
    ref_step = make_step(net, cfg, device="cuda", dtype="float64")
    if precision == "perturbed-float64":
        step, xp = ref_step, torch.as_tensor(x0 + 1e-7 * rng.normal(size=x0.shape), device="cuda")
    elif precision.startswith("epilogue-"):
        ep = epilogue_net_step(net, M, precision.split("-", 1)[1], None)
        ep.load(torch.as_tensor(x0, device="cuda", dtype=torch.float32))

        def step(_x, _k):
            return ep.advance(1)

        xp = None
    else:
        prec = "highest" if precision == "float32" else precision
        step = make_step(net, RunConfig(T=T, dt=0.1, dtype="float32"), device="cuda", dtype="float32", precision=prec)
        xp = torch.as_tensor(x0, device="cuda", dtype=torch.float32)
    xr = torch.as_tensor(x0, device="cuda")
    first = np.full(M, np.inf)
    rel1 = None
    with torch.no_grad(), _tf32(precision in ("tf32", "epilogue-tf32")):
        for k in range(n):
            xr, xp = ref_step(xr, k), step(xp, k)
            d = (torch.linalg.norm(xp.double() - xr, dim=1) / torch.linalg.norm(xr, dim=1)).cpu().numpy()
            if k == 0:
                rel1 = float(np.median(d))
            hit = (d > 0.1) & ~np.isfinite(first)
            first[hit] = (k + 1) * 0.1
            if np.all(np.isfinite(first)):
                break
    return {
        "median_divergence_time_tau": float(np.median(first)),
        "chains_diverged": int(np.isfinite(first).sum()),
        "relative_error_after_one_step": rel1,
        "T_tau": T,
    }


def training_step(
    precision, steps, phases_steps, compile=False, folds=(True, False), reduce=True, epilogue=False, tile=None
):
    import torch

    from neurochaos.learning import build_generative_network
    from neurochaos.learning.fused import FusedTrainer
    from neurochaos.learning.hebbian import contrastive_update
    from neurochaos.learning.phases import PhaseRunner

    net = build_generative_network("fu_restricted2", n_visible=784, n_hidden=500, seed=0)
    rng = np.random.default_rng(0)
    data = np.where(rng.random((2000, 784)) < 0.2, 1.0, -1.0)
    dtype = "float64" if precision == "float64" else "float32"
    prec = "highest" if precision in ("float32", "float64") else precision
    row = {}
    for fold in folds:
        tr = FusedTrainer(
            net, data, k=0.01, M=500, device="cuda", dtype=dtype, precision=prec, fold=fold, compile=compile,
            reduce=reduce, epilogue=epilogue, tile=tile,
        )  # fmt: skip
        tr.step(0)  # capture
        tr.synchronize()
        t = time.perf_counter()
        for i in range(1, steps + 1):
            tr.step(i)
        tr.synchronize()
        sec = (time.perf_counter() - t) / steps
        row["fused" if fold else "fused_unfolded"] = {
            "seconds_per_step": sec,
            "folded": tr.folded,
            "reduced": tr.reduced,
            "epilogue": tr.epilogue,
            "tile": tile_name(tile) if tile else None,
            "projected_minutes_300k_steps": sec * 300_000 / 60,
            "A_finite": bool(torch.isfinite(tr.A).all()),
        }
    if phases_steps:
        runner = PhaseRunner(net, "torch", device="cuda", dtype=dtype)
        t = time.perf_counter()
        n2 = net
        for _ in range(phases_steps):
            idx = rng.integers(0, len(data), 500)
            sc = runner.clamped(n2, data[idx])
            sf, _ = runner.free(n2, rng.normal(size=(500, net.N)))
            n2 = n2.with_params(*contrastive_update(n2.A, n2.bias, sc, sf, k=0.01, mask=n2.mask))
        row["phase_runner"] = {"seconds_per_step": (time.perf_counter() - t) / phases_steps}
        row["phase_runner_over_fused"] = row["phase_runner"]["seconds_per_step"] / row["fused"]["seconds_per_step"]
    return row


def train_accuracy(steps, best_tiles, device="cuda", n_hidden=500, M=500, n_samples=2000):
    """Indices after ``steps`` paper-scale MNIST training steps in float32 and in each fast mode (same seed).

    (``device``, ``n_hidden``, ``M``, ``n_samples``: smaller settings for a check on the CPU.)"""
    import tempfile

    from neurochaos.learning import TrainConfig, train

    modes = {
        "float32": {},
        "tf32+compile": {"precision": "tf32", "compile": True},
    }
    if not epilogue_missing():
        for prec in ("tf32", "bf16"):
            tile = best_tiles.get((M, prec))
            extra = {"tile": [tile.bm, tile.bn, tile.bk, tile.warps, tile.stages]} if tile else {}
            modes["epilogue-" + prec] = {"precision": prec, "epilogue": True, **extra}
    out = {"steps": steps}
    for name, extra in modes.items():
        cfg = TrainConfig.from_dict(
            {
                "model": {"card": "fu_restricted2", "n_hidden": n_hidden},
                "data": {"name": "mnist", "encoding": "pm1", "n_train": 8000, "n_test": 2000},
                "training": {
                    "M": M, "steps": steps, "engine": "fused", "device": device, "dtype": "float32",
                    "checkpoint_every": steps, "eval_every": steps, "eval_samples": n_samples, "seed": 0, **extra,
                },
            }
        )  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            result = train(cfg, Path(tmp) / "run", progress=False)
            wall = time.perf_counter() - t
        last = result.history[-1]
        out[name] = {**{k: last[k] for k in ("EAAI", "AA_truth", "AA_syn", "E2")}, "wall_seconds": wall}
        if name == "float32":
            A_ref = result.network.A
        else:  # same seed: the same minibatches and initial states as the float32 run
            out[name]["A_max_abs_diff_vs_float32"] = float(np.abs(result.network.A - A_ref).max())
            out[name]["A_max_abs_float32"] = float(np.abs(A_ref).max())
    return out


def section(results, name, fn, save=None):
    """Run one section into ``results``; ``save()`` then writes what there is so far (a run stopped
    by its time limit keeps its finished sections)."""
    t = time.perf_counter()
    try:
        results[name] = fn()
    except Exception as exc:  # record and go on: one failing section must not lose the others
        results[name] = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-2000:]}
    results[name + "_wall_seconds"] = time.perf_counter() - t
    print(name, results[name], flush=True)
    if save is not None:
        save()


def main(argv=None) -> Path:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None)
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    ap.add_argument(
        "--sections",
        default="single,batched,big,accuracy,training",
        help="comma-separated: single, batched, big, accuracy, training, train_accuracy",
    )
    ap.add_argument("--train-steps", type=int, default=3000, help="training steps of each train_accuracy run")
    args = ap.parse_args(argv)
    if not torch.cuda.is_available():
        raise SystemExit("bench_gpu needs a CUDA GPU; torch sees none here")
    want = set(args.sections.split(","))
    rep = 5 if args.quick else 20
    N = 1284
    net = build_network("chaotic_rate", N=N, g=1.5, seed=0)
    res: dict = {}
    name = torch.cuda.get_device_name().replace(" ", "_")

    def save():
        return write_result({"benchmark": "bench_gpu", "quick": args.quick, "results": res}, args.out, f"gpu_{name}")

    if "single" in want:

        def single():
            from neurochaos.executors.fused_kernel import make_fused_step, triton_missing

            row = {}
            t = torch_step_times(net, 1, "float32", 200, rep, eager_steps=200)
            row["torch_eager_us"] = t["eager"] * 1e6
            row["torch_graph_us"] = t["graph"] * 1e6
            if not triton_missing():
                for wd in ("float32", "bfloat16"):
                    sweep = {}
                    for br in (4, 8, 16):
                        for bc in (256, 512, 1024):
                            for nw in (2, 4):
                                run = make_fused_step(
                                    net,
                                    RunConfig(T=1.0, dt=0.1),
                                    weight_dtype=wd,
                                    block_rows=br,
                                    block_cols=bc,
                                    num_warps=nw,
                                )
                                x0 = torch.randn((1, N), device="cuda")
                                g, state = run.graph(x0, 200)
                                sweep[f"rows{br}_cols{bc}_warps{nw}"] = cuda_time(g.replay, rep) / 200 * 1e6
                    best = min(sweep, key=sweep.get)
                    row[f"triton_fused_graph_us_W_{wd}"] = sweep[best]
                    row[f"triton_best_tile_W_{wd}"] = best
                    row[f"triton_sweep_us_W_{wd}"] = sweep
                    ref = make_step(net, RunConfig(T=1.0, dt=0.1, dtype="float64"), device="cuda", dtype="float64")
                    y = x0.double()
                    for n in range(20):
                        y = ref(y, n)
                    z = run(x0, 20)
                    row[f"triton_vs_float64_max_abs_after_20_steps_W_{wd}"] = float((z.double() - y).abs().max())
            row["target_us"] = 4.0
            return row

        section(res, "single_chain_N1284", single, save=save)

    best_tiles: dict = {}  # (M, precision) -> the fastest epilogue tile of the sweeps

    def precision_rows(M, chunk, repeats):
        """Graph-captured step vs same-shape matmul for each precision (+ compile, + epilogue kernel)."""
        row = {}
        for prec in ("float32", "tf32", "bf16"):
            mm = matmul_time(M, N, prec, chunk, repeats)

            def entry(st, mm=mm):
                return {
                    "step_us": st * 1e6,
                    "matmul_us": mm * 1e6,
                    "step_over_matmul": st / mm,
                    "effective_tflops": 2 * M * N * N / st / 1e12,
                    "matmul_tflops": 2 * M * N * N / mm / 1e12,
                }

            for comp in (False, True) if prec != "float32" else (False,):
                st = torch_step_times(net, M, prec, chunk, repeats, compile=comp)["graph"]
                row[prec + ("+compile" if comp else "")] = entry(st)
            if not epilogue_missing():
                ep_prec = "highest" if prec == "float32" else prec
                sweep, best, tile = epilogue_times(net, M, ep_prec, chunk, repeats)
                best_tiles[M, prec] = tile
                row["epilogue-" + prec] = {**entry(sweep[best]), "tile": best, "tile_sweep_us": {
                    k: v * 1e6 if isinstance(v, float) else v for k, v in sweep.items()}}  # fmt: skip
        return row

    if "batched" in want:
        section(
            res,
            "batched_M500_N1284",
            lambda: {**precision_rows(500, 100, rep), "target_step_over_matmul": 1.1},
            save=save,
        )
    if "big" in want:
        section(
            res,
            "big_M10000_N1284",
            lambda: {**precision_rows(10000, 20, max(3, rep // 4)), "target_tflops": {"tf32": 150, "bf16": 300}},
            save=save,
        )

    if "accuracy" in want:

        def accuracy():
            modes = ["perturbed-float64", "float32", "tf32", "bf16"]
            if not epilogue_missing():
                modes += ["epilogue-tf32", "epilogue-bf16"]
            return {p: divergence(net, p, T=400.0) for p in modes}

        section(res, "accuracy_g1.5_N1284", accuracy, save=save)

    if "training" in want:

        def training():
            out = {}
            n = 20 if args.quick else 100
            for prec in ("float32", "tf32", "bf16"):
                out[prec] = training_step(prec, n, 3 if prec == "float32" else 0)
            out["tf32+compile"] = training_step("tf32", n, 0, compile=True, folds=(True,))
            out["tf32+compile, whole clamped phase"] = training_step(
                "tf32", n, 0, compile=True, folds=(True,), reduce=False
            )
            if not epilogue_missing():
                for prec in ("tf32", "bf16"):
                    tile = best_tiles.get((500, prec))
                    out["epilogue-" + prec] = training_step(prec, n, 0, folds=(True,), epilogue=True, tile=tile)
            for prec in ("tf32", "bf16"):
                whole = matmul_time(500, 1284, prec, 100, rep)
                hidden = matmul_time(500, 500, prec, 100, rep)
                per_step = 100 * whole + 100 * hidden
                out["gemm_floor_" + prec] = {
                    "matmul_us_M500_N1284": whole * 1e6,
                    "matmul_us_M500_N500": hidden * 1e6,
                    "seconds_per_training_step": per_step,
                    "minutes_300k_steps": per_step * 300_000 / 60,
                    "note": "reduced formulation: per training step 100 products of the whole network "
                    "(free phase) and 100 of the hidden block (clamped phase)",
                }
            out["target_minutes_300k"] = 10
            return out

        section(res, "training_step_paper_scale", training, save=save)

    if "train_accuracy" in want:
        section(res, "train_accuracy_mnist", lambda: train_accuracy(args.train_steps, best_tiles), save=save)

    return save()


if __name__ == "__main__":
    main()
