"""Batched dense torch engine for rate networks (M chains at once, CPU or CUDA).

The update is generated from the card's Brian2 declaration
(:mod:`neurochaos.executors.codegen`); each summed pathway
``I_post = w * r_pre`` becomes one matrix product ``r @ W.T`` over all chains.

Functional core (Norse style): :func:`make_step` returns a pure function
``step(x, n) -> x_next`` of tensors of shape (M, N); :class:`TorchEngine` is
the thin stateful executor around it.
"""

from __future__ import annotations

import time

import numpy as np
from tqdm.auto import tqdm

from ..errors import ConfigError
from ..model.schedule import constant_value
from ..threads import blas_pool
from ..validation import check_device, dtype_name
from .base import Executor, RunConfig, RunInputs, Trace, register
from .integrators import METHODS, assemble_step, step_setup, timed_array_index

__all__ = ["TorchEngine", "make_step", "timed_array_index", "capture_graph", "capture_steps", "PRECISIONS"]

#: Matrix-product precisions of the torch step (see :func:`make_step`).
PRECISIONS = ("highest", "tf32", "bf16")


def _resolve_device(device):
    return check_device(device)


def make_step(
    network,
    config: RunConfig,
    *,
    weights=None,
    gains=None,
    bias=None,
    variables=None,
    device="cpu",
    dtype="float64",
    cpu_blas="torch",
    skip=(),
    precision="highest",
    compile=False,
):
    """Build the pure step function of a network.

    Parameters
    ----------
    network : RateNetwork
    config : RunConfig (dt and method are used; "rk2", "heun" and "rk4" recompute the
        recurrent input at every Runge-Kutta stage, see :mod:`.integrators`)
    weights, bias : overrides of the network's (arrays (N, N) / (N,))
    gains : ndarray (n_steps + 1,) of gains sampled at n dt; default: sample the network's schedule
    variables : dict name -> array (N,) or (M, N) of the card's other constant neuron variables
        (default 0; see ``ModelCard.settable_variables``)

    cpu_blas : "torch" (default) or "numpy": on the CPU, which BLAS computes the
        recurrent matrix products when no gradient is tracked. torch's wheels use
        MKL; on the AMD EPYC dev machine a single-thread N = 1284 float64 mat-vec
        took about 400 us in torch and 250 us in numpy's OpenBLAS (quiet machine).
        "numpy" multiplies the same memory zero-copy through numpy. A loop that
        calls this step with "numpy" must hold torch's pool at one thread
        (:func:`neurochaos.threads.blas_pool`, as :class:`TorchEngine` runs do):
        otherwise the two pools spin against each other on the same cores. The
        default stays "torch" here for that reason. Gradients always use torch.
    skip : names of pathways not computed (their summed input is 0); used when a
        caller folds several pathways into one matrix (see
        :mod:`neurochaos.learning.fused`)
    precision : "highest" (matrix products in ``dtype``), "tf32" (float32 state,
        products with TF32 tensor cores: the caller enables
        ``torch.backends.cuda.matmul.allow_tf32``) or "bf16" (float32 state,
        weights and rates rounded to bfloat16 for the products, fp32 accumulate).

    compile : fuse the element-wise parts of the step (the rate update before the
        products, the state update after them) into one kernel each with
        ``torch.compile``; the products stay cuBLAS calls. Needs a constant gain
        and an update that does not read ``t`` (the compiled code must not depend
        on n), else ConfigError. The first calls compile (tens of seconds).

    Weights, bias and variables given as torch tensors (on ``device``, of
    ``dtype``) are used by reference, not copied: updating them in place changes
    the step (the fused trainer and CUDA-graph replays rely on this). A bf16
    step keeps its own rounded copy of each weight; call ``step.refresh()``
    after changing the weights in place.

    Returns
    -------
    step : function (x : Tensor (M, N), n : int) -> Tensor (M, N), the state
        after integration step n (time n dt -> (n + 1) dt). Differentiable in x.
    """
    import torch

    dtype = dtype_name(dtype)
    tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    dev = _resolve_device(device)
    if precision not in PRECISIONS:
        raise ConfigError(f"`precision` must be one of {PRECISIONS}, got {precision!r}")
    if precision != "highest" and dtype != "float32":
        raise ConfigError(f"`precision` {precision!r} needs dtype 'float32', got dtype {dtype!r}")

    def tensor(v, transpose=False):
        if torch.is_tensor(v):
            if v.dtype != tdtype or v.device.type != dev.type:
                raise ConfigError(f"tensor inputs of the step must be {tdtype} on {dev}, got {v.dtype} on {v.device}")
            return v.T if transpose else v
        a = np.asarray(v, dtype=float)
        return torch.as_tensor(np.ascontiguousarray(a.T if transpose else a), dtype=tdtype, device=dev)

    card = network.card
    setup = step_setup(network, config, "torch", weights=weights, gains=gains, bias=bias)
    compiled, tableau, w, b = setup.compiled, setup.tableau, setup.weights, setup.bias
    gains, gain, dt_s, tau_s = setup.gains, setup.gain, setup.dt_s, setup.tau_s
    names = [p.name for p in card.pathways]
    unknown = set(skip) - set(names)
    if unknown:
        raise ConfigError(f"`skip` must name pathways of card {card.name!r} ({names}), got {sorted(unknown)}")
    if cpu_blas not in ("numpy", "torch"):
        raise ConfigError(f"`cpu_blas` must be 'numpy' or 'torch', got {cpu_blas!r}")
    use_np = dev.type == "cpu" and cpu_blas == "numpy"
    paths = []
    for p, target in setup.pathways:
        if p.name in skip:
            continue
        WT = tensor(w[p.name], transpose=True)
        if precision == "bf16":
            low = WT.to(torch.bfloat16)
            paths.append([target, WT, None, low])
        else:
            paths.append([target, WT, WT.numpy() if use_np else None, None])
    consts = {"b": tensor(b)}
    for name in card.settable_variables:
        consts[name] = tensor((variables or {}).get(name, 0.0))
    state_fn, rate_fn = compiled.state_update, compiled.rate_update
    if compile:
        if constant_value(gains) is None or compiled.explicit_time:
            raise ConfigError("`compile` needs a constant gain and an update that does not read t")
        if tableau:
            raise ConfigError(f"`compile` needs method 'euler' or 'exponential_euler', got {config.method!r}")
        g0 = gains[0]
        state_raw, rate_raw = state_fn, rate_fn
        low = torch.bfloat16 if precision == "bf16" else None

        def rate_core(*a):
            (r,) = rate_raw(*a)
            return (r, r.to(low)) if low is not None else (r,)

        def state_core(*a):
            return state_raw(*a, 0.0, dt_s, tau_s, lambda _t: g0)

        rate_c = torch.compile(rate_core, dynamic=False)
        state_c = torch.compile(state_core, dynamic=False)

        def rate_fn(*a):  # noqa: F811
            return rate_c(*a)

        def state_fn(x, *a):  # noqa: F811
            return state_c(x, *a[:-4])

    def product(target, WT, WT_np, low):
        if low is not None:
            return lambda rr: ((rr[1] if len(rr) > 1 else rr[0].to(torch.bfloat16)) @ low).to(tdtype)
        if WT_np is not None:
            return lambda rr: torch.from_numpy(rr[0].numpy() @ WT_np) if not rr[0].requires_grad else rr[0] @ WT
        return lambda rr: rr[0] @ WT

    step = assemble_step(
        compiled,
        card,
        consts=consts,
        products=[(p[0], product(*p)) for p in paths],
        state_fn=state_fn,
        rate_fn=rate_fn,
        derivative=compiled.derivative,
        gain=gain,
        dt_s=dt_s,
        tau_s=tau_s,
        tableau=tableau,
        zeros_like=torch.zeros_like,
    )

    def refresh():
        for path in paths:
            if path[3] is not None:
                path[3].copy_(path[1])

    step.dtype = tdtype
    step.device = dev
    step.precision = precision
    step.refresh = refresh
    step.cpu_blas = cpu_blas if dev.type == "cpu" else "torch"
    return step


class _tf32:
    """Context: TF32 matrix products on CUDA while active (restores the previous setting)."""

    def __init__(self, on: bool):
        self.on = on

    def __enter__(self):
        import torch

        self.prev = torch.backends.cuda.matmul.allow_tf32
        if self.on:
            torch.backends.cuda.matmul.allow_tf32 = True

    def __exit__(self, *exc):
        import torch

        torch.backends.cuda.matmul.allow_tf32 = self.prev


def capture_graph(body, warmup: int = 2):
    """Capture ``body()`` (in-place work on static CUDA tensors) in a CUDA graph.

    Runs ``body`` ``warmup`` times on a side stream first, as torch requires.
    Returns the ``torch.cuda.CUDAGraph``; ``graph.replay()`` repeats the work.
    """
    import torch

    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(warmup):
            body()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        body()
    return graph


def capture_steps(step, state, n_steps: int):
    """A CUDA graph whose replay advances ``state`` (a CUDA tensor) by ``n_steps`` steps in place.

    Steps are captured with indices 0..n_steps-1, so the update must not depend on
    n (constant gain, no explicit t). ``state`` is left as it was before capture.
    """
    start = state.clone()

    def chunk():
        y = state
        for n in range(n_steps):
            y = step(y, n)
        state.copy_(y)

    graph = capture_graph(chunk)
    state.copy_(start)  # the warm-up and capture advanced the state
    return graph


#: Longest chunk of steps captured in one CUDA graph (capturing costs about three eager chunks).
GRAPH_CHUNK = 100


def graph_chunk(every: int) -> int:
    """Steps per captured chunk: the largest divisor of ``every`` not above GRAPH_CHUNK.

    >>> graph_chunk(1000), graph_chunk(7), graph_chunk(101)
    (100, 7, 1)
    """
    return max(d for d in range(1, min(every, GRAPH_CHUNK) + 1) if every % d == 0)


def _run_graph(step, x, rec, n_steps, every, chunk, progress, name):
    """Integrate ``n_steps`` by replaying a captured chunk of ``chunk`` steps (``chunk`` divides ``every``).

    See :func:`capture_steps`. Records are taken every ``every`` steps; the steps
    after the last full record period run eagerly.
    """
    state = x.clone()
    full, rest = divmod(n_steps, every)
    graph = capture_steps(step, state, chunk) if full else None
    periods = range(full)
    periods = tqdm(periods, desc=f"torch {name} (CUDA graph)", unit="record", mininterval=0.5, disable=not progress)
    for i in periods:
        rec[i] = state
        for _ in range(every // chunk):
            graph.replay()
    y = state
    for n in range(rest):
        if n == 0:
            rec[full] = y
        y = step(y, n)
    return y


@register
class TorchEngine(Executor):
    """Executor ``"torch"``: batched dense integration in torch.

    Parameters
    ----------
    device : torch device ("cpu", "cuda", "cuda:1"); default: the RunConfig's
    dtype : "float64" or "float32"; default: the RunConfig's
    progress : show a tqdm progress bar
    cpu_blas : "numpy" (default) or "torch": BLAS for CPU matrix products (see :func:`make_step`).
        With "numpy", torch's own pool is held at one thread while a run lasts
        (:func:`neurochaos.threads.blas_pool`), so the two pools never compete
    graph : on CUDA, capture a chunk of integration steps (a divisor of
        ``record_every``, at most GRAPH_CHUNK) in one CUDA graph and replay it.
        "auto": when the gain is constant, the update does not read ``t`` and the
        run is long enough (>= 4 replays) to repay the capture; otherwise steps are
        launched one by one. True: also for short runs. False: never.
    precision : "highest", "tf32" or "bf16" matrix products (see :func:`make_step`)
    compile : fuse the element-wise work of each step with torch.compile (see :func:`make_step`)
    """

    name = "torch"
    methods = METHODS

    def __init__(
        self,
        device: str | None = None,
        dtype: str | None = None,
        progress: bool = False,
        cpu_blas: str = "numpy",
        graph="auto",
        precision: str = "highest",
        compile: bool = False,
    ):
        if graph not in (True, False, "auto"):
            raise ConfigError(f"`graph` must be True, False or 'auto', got {graph!r}")
        if precision not in PRECISIONS:
            raise ConfigError(f"`precision` must be one of {PRECISIONS}, got {precision!r}")
        self.graph = graph
        self.precision = precision
        self.compile = bool(compile)
        self.cpu_blas = cpu_blas
        self.device = None if device is None else str(device)
        self.dtype = None if dtype is None else dtype_name(dtype)
        self.progress = progress
        self.network = None
        self.config = None

    @classmethod
    def available(cls):
        try:
            import torch  # noqa: F401
        except ImportError:
            return False, "torch is not installed (pip install torch)"
        return True, ""

    def prepare(self, network, config: RunConfig) -> None:
        self.check_supported(network)
        self.network = network
        self.config = config
        self.device = self.device or config.device
        self.dtype = self.dtype or config.dtype
        _resolve_device(self.device)
        from .codegen import compile_rate_model

        compile_rate_model(network.card, config.method)  # fail early on bad cards

    def _run(self, inputs: RunInputs) -> Trace:
        import torch

        from .codegen import compile_rate_model

        net, cfg = self.network, self.config
        x0, gains = inputs.x0, inputs.gains
        step = make_step(
            net,
            cfg,
            weights=inputs.weights,
            gains=gains,
            bias=inputs.bias,
            variables=inputs.variables,
            device=self.device,
            dtype=self.dtype,
            cpu_blas=self.cpu_blas,
            precision=self.precision,
            compile=self.compile,
        )
        t0 = time.perf_counter()
        x = torch.as_tensor(x0, dtype=step.dtype, device=step.device)
        n_steps, every = cfg.n_steps, cfg.record_every
        rec = torch.empty((cfg.n_records, *x.shape), dtype=step.dtype, device=step.device)
        constant = constant_value(gains) is not None and not compile_rate_model(net.card, cfg.method).explicit_time
        chunk = graph_chunk(every) if step.device.type == "cuda" and constant and self.graph is not False else 0
        if self.graph == "auto" and chunk and n_steps // chunk < 4:
            chunk = 0  # too short to repay the capture (about three eager chunks)
        use_graph = bool(chunk)
        if self.graph is True and step.device.type == "cuda" and not constant:
            raise ConfigError(
                "`graph` True needs a constant gain and an update that does not read t; "
                "use graph='auto' or False for gain schedules"
            )
        with torch.no_grad(), _tf32(self.precision == "tf32"), blas_pool(step.cpu_blas, step.device.type):
            if use_graph:
                x = _run_graph(step, x, rec, n_steps, every, chunk, self.progress, net.card.name)
            else:
                steps = range(n_steps)
                steps = tqdm(
                    steps, desc=f"torch {net.card.name}", unit="step", mininterval=0.5, disable=not self.progress
                )
                for n in steps:
                    if n % every == 0:
                        rec[n // every] = x
                    x = step(x, n)
        if step.device.type == "cuda":
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - t0
        t = np.arange(cfg.n_records) * every * cfg.dt
        trace = Trace(
            t=t,
            x=rec.cpu().numpy(),  # in the run's dtype: float32 asked, float32 returned
            x_final=x.cpu().numpy(),
            executor=self.name,
            meta={
                "dt": cfg.dt,
                "method": cfg.method,
                "device": str(step.device),
                "dtype": self.dtype,
                "cpu_blas": step.cpu_blas,
                "precision": self.precision,
                "cuda_graph": bool(use_graph),
                "seconds": elapsed,
                "seconds_per_step": elapsed / max(n_steps, 1),
            },
        )
        return trace.check_finite(net.card.state)
