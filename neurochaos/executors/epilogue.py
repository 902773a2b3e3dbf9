"""One GEMM per Euler step, with the state update and tanh in its epilogue (Triton).

For M chains of a dense tanh rate network a step is a product ``r @ W.T`` of shape
(M, N) followed by element-wise work: the leak, the bias, the update of x and the
next rate ``tanh(x)``. Done as separate kernels (cuBLAS, then element-wise kernels,
even fused ones) the (M, N) state is read and written several times per step and
the step takes 1.3-2x one same-shape product (``docs/gpu.md``). :class:`EpilogueStep`
does the step as one Triton matrix product whose epilogue, while the tile of the
product is still in registers, reads x and the bias once, writes the new x (float32)
and the new rate (float32, or bfloat16 for the next bf16 product) once.

Which update it computes is read from the card, not assumed: the step's generated
update (:func:`~neurochaos.executors.torch_engine.make_step`, float64) is probed
numerically for the form ``x' = alpha x + beta W tanh(x) + gamma b`` with one
pathway (Euler: alpha = 1 - dt, beta = dt x the pathway's gain factor, gamma = dt;
exponential Euler fits too) and any card or setting that does not have this form
(clamped units, two pathways, a gain schedule, a Runge-Kutta method) is refused
with a :class:`~neurochaos.errors.ConfigError`.

Precisions of the product: "highest" (fp32 inputs, IEEE fp32 products), "tf32"
(fp32 inputs, TF32 tensor cores) and "bf16" (bfloat16 weights and rates, fp32
accumulation; the state x stays fp32). State and bias are always float32.

Runs on a CUDA GPU, or on the CPU under Triton's interpreter (``TRITON_INTERPRET=1``
set before the first kernel is built): that is how the tests check the kernel's
indexing, masking and epilogue on a machine without a GPU. The interpreter's
``tl.dot`` mishandles bfloat16 inputs (Triton 3.8), so under the interpreter the bf16
tiles are widened to float32 before the product: the same numbers (a product of two
bfloat16 values is exact in float32), another instruction than the GPU's bf16 dot.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from ..errors import ConfigError, ExecutorUnavailableError
from ..validation import check_choice
from .base import RunConfig

__all__ = ["EpilogueStep", "Tile", "interpreting", "epilogue_missing", "euler_form", "compile_report"]

#: Product precisions of the epilogue kernel.
EPILOGUE_PRECISIONS = ("highest", "tf32", "bf16")


def interpreting() -> bool:
    """Is Triton's CPU interpreter on (``TRITON_INTERPRET=1``)?"""
    return os.environ.get("TRITON_INTERPRET", "0").lower() in ("1", "true", "on")


def epilogue_missing() -> list[str]:
    """What the epilogue kernel needs and is missing here (empty list: it can run)."""
    try:
        import torch
    except ImportError:
        return ["torch"]
    missing = []
    try:
        import triton  # noqa: F401
    except ImportError:
        missing.append("triton (pip install triton)")
    if not torch.cuda.is_available() and not interpreting():
        missing.append("a CUDA GPU (or Triton's interpreter, TRITON_INTERPRET=1, on the CPU)")
    return missing


@dataclasses.dataclass(frozen=True)
class Tile:
    """Tile of the product: bm x bn outputs per program, bk-wide slices of the inner
    dimension; ``warps`` and ``stages`` (software pipelining) are GPU launch settings."""

    bm: int = 64
    bn: int = 64
    bk: int = 32
    warps: int = 4
    stages: int = 3

    def __post_init__(self):
        for name in ("bm", "bn", "bk"):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 16 and v & (v - 1) == 0):
                raise ConfigError(f"`tile.{name}` must be a power of two >= 16, got {v!r}")
        for name in ("warps", "stages"):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 1):
                raise ConfigError(f"`tile.{name}` must be an integer >= 1, got {v!r}")


_KERNELS: dict = {}


def _kernel():
    """The Triton kernel (built once per interpreter setting)."""
    key = interpreting()
    if key not in _KERNELS:
        import triton
        import triton.language as tl

        @triton.jit
        def euler_gemm(
            R, WT, X, B, X_out, R_out, M, N, K, ld, alpha, beta, gamma, stride_bm,
            BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr, PREC: tl.constexpr, WIDEN: tl.constexpr,
        ):  # fmt: skip
            # program (pid_m, pid_n): rows rm (chains) and columns rn (units) of the next state.
            # R, WT, X, X_out and R_out are zero-padded with leading dimension ld (a multiple of 64,
            # BN and BK) and rows to a multiple of BM: the product's loads need no masks, and
            # stay aligned for vector loads; only the epilogue masks (its stores keep the padding 0)
            pid_m = tl.program_id(0)
            pid_n = tl.program_id(1)
            rm = pid_m * BM + tl.arange(0, BM)
            rn = pid_n * BN + tl.arange(0, BN)
            rk = tl.arange(0, BK)
            acc = tl.full((BM, BN), 0.0, dtype=tl.float32)  # tl.full: a builtin (tl.zeros is jit-decorated at import)
            for k0 in range(0, K, BK):
                kk = k0 + rk
                a = tl.load(R + rm[:, None] * ld + kk[None, :])
                b = tl.load(WT + kk[:, None] * ld + rn[None, :])
                if WIDEN:
                    a = a.to(tl.float32)
                    b = b.to(tl.float32)
                acc = tl.dot(a, b, acc, input_precision=PREC)
            # epilogue: x and the bias read once, x' and tanh(x') written once
            mask = (rm[:, None] < M) & (rn[None, :] < N)
            x = tl.load(X + rm[:, None] * ld + rn[None, :])
            bias = tl.load(B + rm[:, None] * stride_bm + rn[None, :], mask=mask, other=0.0)
            xn = alpha * x + beta * acc + gamma * bias
            tl.store(X_out + rm[:, None] * ld + rn[None, :], xn, mask=mask)
            r = 1.0 - 2.0 / (tl.exp(2.0 * xn) + 1.0)  # tanh, exact at +-inf
            tl.store(R_out + rm[:, None] * ld + rn[None, :], r.to(R_out.dtype.element_ty), mask=mask)

        _KERNELS[key] = euler_gemm
    return _KERNELS[key]


def compile_report(
    tile: Tile | None = None, precision: str = "tf32", capability: int = 90, padded: bool = True
) -> dict:
    """Compile the kernel ahead of time for an NVIDIA GPU of compute ``capability`` (90: H100/H200)
    and report what it became; needs Triton (its own ptxas), no GPU.

    The kernel is specialised as :class:`EpilogueStep` launches it (16-byte aligned buffers, leading
    dimension and loop bound multiples of 16; ``padded=False``: as an unpadded N = 1284 launch
    would be, the leading dimension and bound not multiples of 16). Returns ``shared_bytes`` (per program),
    ``registers`` and ``spill_bytes`` (per thread, from cuobjdump), ``tensor_core`` ("wgmma",
    "mma" or None: the instruction of the product), ``async_copies`` (cp.async in the PTX: the
    software-pipelined loads, by bytes per copy: 16 is a full vector) and ``seconds``
    (compile time).
    """
    import re
    import subprocess
    import tempfile
    import time
    from collections import Counter
    from pathlib import Path

    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    check_choice(precision, "precision", EPILOGUE_PRECISIONS)
    if interpreting():
        raise ConfigError("`compile_report` needs Triton's compiler: unset TRITON_INTERPRET")
    t = tile or Tile()
    low = "*bf16" if precision == "bf16" else "*fp32"
    ptrs = {"R": low, "WT": low, "X": "*fp32", "B": "*fp32", "X_out": "*fp32", "R_out": low}
    ints = {"M": "i32", "N": "i32", "K": "i32", "ld": "i32"}
    floats = {"alpha": "fp32", "beta": "fp32", "gamma": "fp32", "stride_bm": "i32"}
    consts = {"BM": t.bm, "BN": t.bn, "BK": t.bk, "PREC": {"tf32": "tf32"}.get(precision, "ieee"), "WIDEN": False}
    sig = {**ptrs, **ints, **floats, **dict.fromkeys(consts, "constexpr")}
    aligned = [0, 1, 2, 3, 4, 5] + ([8, 9] if padded else [])  # the six buffers (K and ld when padded)
    src = ASTSource(
        fn=_kernel(), signature=sig, constexprs=consts, attrs={(i,): [["tt.divisibility", 16]] for i in aligned}
    )
    t0 = time.perf_counter()
    c = triton.compile(
        src, target=GPUTarget("cuda", capability, 32), options={"num_warps": t.warps, "num_stages": t.stages}
    )
    seconds = time.perf_counter() - t0
    ptx = c.asm["ptx"]
    tc = "wgmma" if "wgmma.mma_async" in ptx else ("mma" if re.search(r"\bmma\.sync", ptx) else None)
    cuobjdump = Path(triton.__file__).parent / "backends" / "nvidia" / "bin" / "cuobjdump"
    with tempfile.TemporaryDirectory() as tmp:
        cubin = Path(tmp) / "k.cubin"
        cubin.write_bytes(c.asm["cubin"])
        usage = subprocess.run([str(cuobjdump), "-res-usage", str(cubin)], capture_output=True, text=True).stdout
    reg = re.search(r"REG:(\d+)", usage)
    local = re.search(r"LOCAL:(\d+)", usage)
    return {
        "tile": dataclasses.asdict(t),
        "precision": precision,
        "capability": capability,
        "padded": padded,
        "shared_bytes": int(c.metadata.shared),
        "registers": int(reg.group(1)) if reg else None,
        "spill_bytes": int(local.group(1)) if local else None,
        "tensor_core": tc,
        "async_copies": {
            int(w, 0): n
            for w, n in Counter(re.findall(r"cp\.async\.c[ag]\.shared\.global[^,]+,[^,]+, (\w+)", ptx)).items()
        },
        "seconds": seconds,
    }


def euler_form(
    network, config: RunConfig, *, pathway: str, skip=(), variables=None, n_units=None
) -> tuple[float, float, float]:
    """Constants (alpha, beta, gamma) with which the card's generated step is
    ``x' = alpha x + beta W tanh(x) + gamma b`` (W: ``pathway``'s weights, the pathways in
    ``skip`` left out, ``variables`` as given; ``n_units``: size of the weights given
    to the step when it integrates a block of the network, default all N units).

    Probed in float64 on the CPU with random weights, states and biases at step 0 and
    checked on a fresh random case, at step 0 and at the run's last step (so a gain
    schedule or an update that reads t is caught), to 1e-10; raises ConfigError when the
    step has another form.
    """
    import torch

    from .torch_engine import make_step

    N = int(n_units or network.N)
    rng = np.random.default_rng(2024)
    names = [p.name for p in network.card.pathways]
    if pathway not in names:
        raise ConfigError(f"`pathway` must be one of card {network.card.name!r}'s pathways {names}, got {pathway!r}")
    kept = [n for n in names if n not in skip]
    if kept != [pathway]:
        raise ConfigError(
            f"the epilogue kernel computes one product: card {network.card.name!r} keeps pathways {kept} "
            f"(skip the others or fold them into {pathway!r})"
        )
    zeros = {n: np.zeros((N, N)) for n in names}

    def step(x, W, b, n=0):
        fn = make_step(network, config, weights={**zeros, pathway: W}, bias=b, variables=variables, skip=tuple(skip))
        return fn(torch.as_tensor(x, dtype=torch.float64), n).numpy()

    x = rng.normal(size=(3, N))
    W = rng.normal(size=(N, N)) / np.sqrt(N)
    b = rng.normal(size=N)
    zero_w, zero_b = np.zeros((N, N)), np.zeros(N)
    alpha = float(np.mean(step(x, zero_w, zero_b) / x))
    gamma = float(np.mean(step(np.zeros((3, N)), zero_w, b) / b))
    prod = np.tanh(x) @ W.T
    beta = float(np.sum((step(x, W, zero_b) - alpha * x) * prod) / np.sum(prod * prod))
    x2, W2, b2 = rng.normal(size=(4, N)), rng.normal(size=(N, N)) / np.sqrt(N), rng.normal(size=N)
    want = alpha * x2 + beta * np.tanh(x2) @ W2.T + gamma * b2
    late = max(config.n_steps - 1, 1)  # a gain schedule or an explicit t changes the step after step 0
    if not all(np.allclose(step(x2, W2, b2, n), want, rtol=1e-10, atol=1e-10) for n in (0, late)):
        raise ConfigError(
            f"card {network.card.name!r} with method {config.method!r}: its step is not "
            "x' = alpha x + beta W tanh(x) + gamma b; the epilogue kernel would compute another model"
        )
    return alpha, beta, gamma


class EpilogueStep:
    """Integrate M chains with one fused GEMM + update kernel per step.

    Parameters
    ----------
    network : RateNetwork whose generated step has the form of :func:`euler_form`
    config : RunConfig (dt, method)
    weight : Tensor (n, n) float32 on the device, the kept pathway's weights (n = N, or the
        size of the block of units integrated); read by reference: after changing it in
        place call :meth:`refresh`
    bias : Tensor (n,) or (M, n) float32 on the device, read by reference at every step
    M : number of chains
    pathway, skip, variables : as :func:`euler_form` (default: the card's only pathway)
    precision : "highest", "tf32" or "bf16" (products; the state is float32)
    tile : :class:`Tile` of the product (``benchmarks/bench_gpu.py`` sweeps them)
    device : "cuda", or "cpu" under Triton's interpreter

    :meth:`run` copies an initial state into the step's own buffers (:meth:`load`) and
    advances it (:meth:`advance`); the buffers never move, so a run can be captured in a
    CUDA graph.

    Examples
    --------
    On a GPU (on the CPU: ``TRITON_INTERPRET=1`` and ``device="cpu"``)::

        net = build_network("chaotic_rate", N=1284, g=1.5, seed=0)
        W = torch.tensor(net.weights["rand"], dtype=torch.float32, device="cuda")
        b = torch.zeros(1284, device="cuda")
        step = EpilogueStep(net, RunConfig(T=10.0, dt=0.1), weight=W, bias=b, M=500, precision="bf16")
        x = step.run(torch.randn(500, 1284, device="cuda"), 100)
    """

    def __init__(
        self,
        network,
        config: RunConfig,
        *,
        weight,
        bias,
        M: int,
        pathway: str | None = None,
        skip=(),
        variables=None,
        precision: str = "tf32",
        tile: Tile | None = None,
        device: str = "cuda",
    ):
        missing = epilogue_missing()
        if missing:
            raise ExecutorUnavailableError("the epilogue kernel needs " + " and ".join(missing))
        import torch

        check_choice(precision, "precision", EPILOGUE_PRECISIONS)
        dev = torch.device(device)
        want = "cpu" if interpreting() else "cuda"
        if dev.type != want:
            raise ConfigError(
                f"`device` must be {want!r} "
                + ("(Triton's interpreter runs on the CPU)" if want == "cpu" else "(the kernel runs on a CUDA GPU)")
                + f", got {device!r}"
            )
        names = [p.name for p in network.card.pathways]
        if pathway is None:
            pathway = next((n for n in names if n not in skip), names[0])  # euler_form checks it
        N = int(weight.shape[0]) if getattr(weight, "ndim", 0) == 2 else network.N
        self.alpha, self.beta, self.gamma = euler_form(
            network, config, pathway=pathway, skip=skip, variables=_numpy_vars(variables), n_units=N
        )
        for name, v, shapes in (("weight", weight, [(N, N)]), ("bias", bias, [(N,), (M, N)])):
            if not torch.is_tensor(v) or v.dtype != torch.float32 or v.device.type != dev.type:
                raise ConfigError(f"`{name}` must be a float32 tensor on {dev.type}, got {type(v).__name__}")
            if tuple(v.shape) not in shapes:
                raise ConfigError(f"`{name}` must have shape {' or '.join(map(str, shapes))}, got {tuple(v.shape)}")
        if bias.stride(-1) != 1 or (bias.dim() == 2 and bias.stride(0) != N):
            raise ConfigError("`bias` must be contiguous")
        self.N, self.M, self.precision, self.device = N, int(M), precision, dev
        self.tile = tile or Tile()
        self.weight, self.bias = weight, bias
        self.low = torch.bfloat16 if precision == "bf16" else torch.float32
        t = self.tile
        # zero padding (see the kernel): leading dimension ld, rows to a multiple of bm
        self.ld = _round_up(N, max(64, t.bn, t.bk))
        self.K = _round_up(N, t.bk)
        Mp = _round_up(self.M, t.bm)
        self.WT = torch.zeros((self.ld, self.ld), dtype=self.low, device=dev)  # W.T in the product's dtype
        self.refresh()
        self.x = [torch.zeros((Mp, self.ld), dtype=torch.float32, device=dev) for _ in range(2)]
        self.r = [torch.zeros((Mp, self.ld), dtype=self.low, device=dev) for _ in range(2)]
        self._prec = {"highest": "ieee", "tf32": "tf32", "bf16": "ieee"}[precision]
        self._widen = precision == "bf16" and interpreting()

    def refresh(self) -> None:
        """Copy the weights again (after an in-place update of ``weight``)."""
        self.WT[: self.N, : self.N].copy_(self.weight.T)

    def _launch(self, i: int) -> None:
        import triton

        t = self.tile
        grid = (triton.cdiv(self.M, t.bm), triton.cdiv(self.N, t.bn))
        j = 1 - i
        _kernel()[grid](
            self.r[i], self.WT, self.x[i], self.bias, self.x[j], self.r[j], self.M, self.N, self.K, self.ld,
            self.alpha, self.beta, self.gamma, self.N if self.bias.dim() == 2 else 0,
            BM=t.bm, BN=t.bn, BK=t.bk, PREC=self._prec, WIDEN=self._widen, num_warps=t.warps, num_stages=t.stages,
        )  # fmt: skip

    def load(self, x0) -> None:
        """Set the state to ``x0`` (M, n) and its rate to tanh(x0) (in the product's dtype)."""
        import torch

        M, N = self.M, self.N
        self.x[0][:M, :N].copy_(x0)
        torch.tanh(self.x[0][:M, :N], out=self.x[1][:M, :N])
        self.r[0][:M, :N].copy_(self.x[1][:M, :N])
        self._i = 0

    def advance(self, n_steps: int):
        """Advance the loaded state by ``n_steps`` steps; returns it (an internal buffer, valid
        until the step runs again: copy it to keep it). A CUDA graph of an even number of
        steps leaves the state in the buffer it started in, so its replays continue it."""
        for _ in range(n_steps):
            self._launch(self._i)
            self._i = 1 - self._i
        return self.x[self._i][: self.M, : self.N]

    def run(self, x0, n_steps: int):
        """:meth:`load` ``x0`` and :meth:`advance` it by ``n_steps`` steps; returns the state."""
        self.load(x0)
        return self.advance(n_steps)


def _round_up(n: int, k: int) -> int:
    return -(-n // k) * k


def _numpy_vars(variables):
    """Variables for the float64 probe: tensors to numpy, scalars kept."""
    if not variables:
        return variables
    out = {}
    for k, v in variables.items():
        out[k] = v.detach().double().cpu().numpy() if hasattr(v, "detach") else v
    return out
