"""One fused GPU kernel per Euler step of a dense tanh rate network (Triton).

For one chain (or a few), a step of ``tau dx/dt = -x + g W tanh(x) + b`` is a
mat-vec: launching tanh, the product and the update as separate kernels costs
more than the arithmetic. :func:`make_fused_step` compiles one Triton kernel that
reads x, forms tanh(x) on the fly, multiplies a block of rows of W and writes the
updated rows; successive steps ping-pong between two buffers, and a fixed number
of steps is captured in one CUDA graph.

The kernel is written for the Euler update of cards whose generated torch step
(:func:`neurochaos.executors.torch_engine.make_step`) equals
``x + dt/tau (-x + g W tanh(x) + b)`` with one pathway: :func:`make_fused_step`
checks this numerically against the generated step and raises
:class:`~neurochaos.errors.ConfigError` otherwise, so it never runs a model it
does not implement.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, ExecutorUnavailableError
from ..model.schedule import constant_value
from .base import RunConfig

__all__ = ["make_fused_step", "triton_missing"]


def triton_missing() -> list[str]:
    """What the fused kernel needs and is missing here (empty list: it can run)."""
    missing = []
    try:
        import torch
    except ImportError:
        return ["torch"]
    if not torch.cuda.is_available():
        missing.append("a CUDA GPU")
    try:
        import triton  # noqa: F401
    except ImportError:
        missing.append("triton (pip install triton)")
    return missing


_KERNEL = None


def _kernel():
    global _KERNEL
    if _KERNEL is None:
        import triton
        import triton.language as tl

        @triton.jit
        def euler_tanh_step(W, x_in, b, x_out, N, M, c_leak, gain, BLOCK_R: tl.constexpr, BLOCK_C: tl.constexpr):
            # program (row block, chain): rows of x_out for one chain
            pid = tl.program_id(0)
            m = tl.program_id(1)
            rows = pid * BLOCK_R + tl.arange(0, BLOCK_R)
            rmask = rows < N
            acc = tl.zeros([BLOCK_R], dtype=tl.float32)
            for c0 in range(0, N, BLOCK_C):
                cols = c0 + tl.arange(0, BLOCK_C)
                cmask = cols < N
                xc = tl.load(x_in + m * N + cols, mask=cmask, other=0.0).to(tl.float32)
                r = 1.0 - 2.0 / (tl.exp(2.0 * xc) + 1.0)  # tanh, exact at +-inf
                w = tl.load(W + rows[:, None] * N + cols[None, :], mask=rmask[:, None] & cmask[None, :], other=0.0)
                acc += tl.sum(w.to(tl.float32) * r[None, :], axis=1)
            xr = tl.load(x_in + m * N + rows, mask=rmask, other=0.0).to(tl.float32)
            br = tl.load(b + rows, mask=rmask, other=0.0).to(tl.float32)
            xn = xr + c_leak * (-xr + gain * acc + br)
            tl.store(x_out + m * N + rows, xn, mask=rmask)

        _KERNEL = euler_tanh_step
    return _KERNEL


def make_fused_step(
    network, config: RunConfig, *, weight_dtype: str = "float32", block_rows: int = 4, block_cols=512, num_warps=2
):
    """A fused Euler stepper for ``network`` on the GPU.

    Parameters
    ----------
    network : RateNetwork with one pathway, constant gain, ``tanh`` rate (e.g. ``chaotic_rate``)
    config : RunConfig (method must be "euler"; dt in units of tau)
    weight_dtype : "float32" or "bfloat16" storage of W (accumulation is float32)
    block_rows, block_cols : tile of W each program reads per iteration
    num_warps : warps per program (defaults: the fastest of an 18-tile sweep for one chain,
        N = 1284, on an H100: 3.79 us per step; benchmarks/results/gpu_*.json)

    Returns
    -------
    run : function ``run(x0 : Tensor (M, N) float32 CUDA, n_steps) -> Tensor (M, N)``;
        ``run.graph(x0, n_steps)`` returns a replayable ``(graph, state)`` pair
        whose replay advances ``state`` by ``n_steps`` steps in place.
    """
    missing = triton_missing()
    if missing:
        raise ExecutorUnavailableError("the fused Triton kernel needs " + " and ".join(missing))
    import torch

    from .torch_engine import capture_graph, make_step

    if config.method != "euler":
        raise ConfigError(f"`method` must be 'euler' for the fused kernel, got {config.method!r}")
    if len(network.card.pathways) != 1:
        raise ConfigError(
            f"the fused kernel handles one pathway, card {network.card.name!r} has {len(network.card.pathways)}"
        )
    gains = network.gain.sample(config.n_steps + 1, config.dt)
    g = constant_value(gains)
    if g is None:
        raise ConfigError("the fused kernel needs a constant gain, got a gain schedule")
    (name,) = [p.name for p in network.card.pathways]
    W_np = np.asarray(network.weights[name], dtype=float)
    b_np = np.broadcast_to(np.asarray(network.bias, dtype=float), (network.N,))
    # the kernel implements x + dt (-x + g W tanh(x) + b): check against the card's generated step
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, network.N))
    ref = make_step(network, config)(torch.as_tensor(x), 0).numpy()
    mine = x + config.dt * (-x + g * np.tanh(x) @ W_np.T + b_np)
    if not np.allclose(ref, mine, rtol=1e-10, atol=1e-10):
        raise ConfigError(
            f"card {network.card.name!r}: its Euler update is not x + dt (-x + g W tanh(x) + b); "
            "the fused kernel would compute another model"
        )
    wdt = {"float32": torch.float32, "bfloat16": torch.bfloat16}[weight_dtype]
    dev = torch.device("cuda")
    W = torch.as_tensor(W_np, dtype=wdt, device=dev).contiguous()
    b = torch.tensor(np.array(b_np), dtype=torch.float32, device=dev)
    N = network.N
    kernel = _kernel()

    def launch(x_in, x_out):
        M = x_in.shape[0]
        grid = ((N + block_rows - 1) // block_rows, M)
        kernel[grid](
            W, x_in, b, x_out, N, M, float(config.dt), g, BLOCK_R=block_rows, BLOCK_C=block_cols, num_warps=num_warps
        )

    def run(x0, n_steps):
        a = x0.to(device=dev, dtype=torch.float32).contiguous().clone()
        c = torch.empty_like(a)
        for _ in range(n_steps):
            launch(a, c)
            a, c = c, a
        return a

    def graph(x0, n_steps):
        state = x0.to(device=dev, dtype=torch.float32).contiguous().clone()
        other = torch.empty_like(state)
        start = state.clone()

        def body():
            a, c = state, other
            for _ in range(n_steps):
                launch(a, c)
                a, c = c, a
            if a is not state:
                state.copy_(a)

        gr = capture_graph(body)
        state.copy_(start)
        return gr, state

    run.graph = graph
    run.weight_dtype = weight_dtype
    return run
