"""Executor ``"numpy"``: the card's Brian2-generated update on numpy arrays, on the CPU.

It runs the same generated code as the torch engine (one rule:
:func:`~neurochaos.executors.integrators.assemble_step`), with numpy's functions in
place of torch's and each pathway's summed input as one product through numpy's BLAS
(one thread pool). What it is for:

- **start-up**: it imports numpy only. With the disk cache of Brian2's answers warm
  (:mod:`neurochaos.derived`) a run imports neither Brian2, sympy nor torch;
- **small CPU runs**: a numpy operation on a few hundred numbers costs less Python
  overhead than a torch one.

It has no GPU, gradient, CUDA-graph or reduced-precision path: for those use ``"torch"``.
All integration methods of :data:`~neurochaos.executors.integrators.METHODS` run,
Runge-Kutta stages recomputing the recurrent input as on torch.
"""

from __future__ import annotations

import time

import numpy as np

from ..errors import ConfigError
from ..validation import dtype_name
from .base import DTYPES as RUN_DTYPES
from .base import Executor, RunConfig, RunInputs, Trace, register
from .integrators import METHODS, assemble_step, step_setup

__all__ = ["NumpyEngine", "make_numpy_step"]

#: The run precisions of :data:`~neurochaos.executors.base.DTYPES` as numpy types.
DTYPES = {name: np.dtype(name).type for name in RUN_DTYPES}


def make_numpy_step(
    network, config: RunConfig, *, weights=None, gains=None, bias=None, variables=None, dtype="float64"
):
    """The pure step function of a network on numpy arrays.

    Parameters
    ----------
    network : RateNetwork
    config : RunConfig (dt and method are used)
    weights, bias : overrides of the network's (arrays (N, N) / (N,) or (M, N))
    gains : ndarray (n_steps + 1,) of gains sampled at n dt; default: the network's schedule
    variables : dict name -> array (N,) or (M, N) of the card's other constant neuron variables
    dtype : "float64" or "float32"

    Returns
    -------
    step : function (x : ndarray (M, N), n : int) -> ndarray (M, N), the state after
        integration step n (time n dt -> (n + 1) dt)
    """
    dtype = dtype_name(dtype)
    if dtype not in DTYPES:
        raise ConfigError(f"`dtype` must be one of {list(DTYPES)}, got {dtype!r}")
    nd = DTYPES[dtype]
    card = network.card
    setup = step_setup(network, config, "numpy", weights=weights, gains=gains, bias=bias)
    b = setup.bias

    def array(v):
        return np.ascontiguousarray(v, dtype=nd)

    # One chain: r @ W.T on W stored row-major (OpenBLAS's gemv reads W's rows; measured N = 1284
    # float64: 122-130 us against 168 us with a row-major copy of W.T). Several: r @ (row-major W.T).
    one_chain = np.ndim(b) < 2 or np.shape(b)[0] == 1
    products = []
    for p, target in setup.pathways:
        W = np.asarray(setup.weights[p.name], dtype=float)
        WT = array(W).T if one_chain else array(W.T)
        products.append((target, lambda rr, WT=WT: rr[0] @ WT))
    consts = {"b": array(b)}
    for name in card.settable_variables:
        consts[name] = array((variables or {}).get(name, 0.0))
    state_fn, rate_fn, derivative = setup.compiled.functions("numpy")
    return assemble_step(
        setup.compiled,
        card,
        consts=consts,
        products=products,
        state_fn=state_fn,
        rate_fn=rate_fn,
        derivative=derivative,
        gain=setup.gain,
        dt_s=setup.dt_s,
        tau_s=setup.tau_s,
        tableau=setup.tableau,
        zeros_like=np.zeros_like,
    )


@register
class NumpyEngine(Executor):
    """Executor ``"numpy"``: the generated update on numpy arrays (CPU; see the module docstring).

    Parameters
    ----------
    dtype : "float64" or "float32"; default: the RunConfig's
    progress : show a tqdm progress bar
    """

    name = "numpy"
    methods = METHODS

    def __init__(self, dtype: str | None = None, progress: bool = False):
        dtype = None if dtype is None else dtype_name(dtype)
        if dtype is not None and dtype not in DTYPES:
            raise ConfigError(f"`dtype` must be one of {list(DTYPES)}, got {dtype!r}")
        self.dtype = dtype
        self.device = "cpu"
        self.progress = progress
        self.network = None
        self.config = None

    def prepare(self, network, config: RunConfig) -> None:
        self.check_supported(network)
        if str(config.device) != "cpu":
            raise ConfigError(f"`device` must be 'cpu' for the numpy executor, got {config.device!r}; use 'torch'")
        self.network = network
        self.config = config
        self.dtype = self.dtype or config.dtype
        from .codegen import compile_rate_model

        compile_rate_model(network.card, config.method)  # fail early on bad cards

    def _run(self, inputs: RunInputs) -> Trace:
        net, cfg = self.network, self.config
        step = make_numpy_step(
            net,
            cfg,
            weights=inputs.weights,
            gains=inputs.gains,
            bias=inputs.bias,
            variables=inputs.variables,
            dtype=self.dtype,
        )
        t0 = time.perf_counter()
        x = np.array(inputs.x0, dtype=DTYPES[self.dtype])
        n_steps, every = cfg.n_steps, cfg.record_every
        rec = np.empty((cfg.n_records, *x.shape), dtype=x.dtype)
        steps = range(n_steps)
        if self.progress:
            from tqdm.auto import tqdm

            steps = tqdm(steps, desc=f"numpy {net.card.name}", unit="step", mininterval=0.5)
        for n in steps:
            if n % every == 0:
                rec[n // every] = x
            x = step(x, n)
        elapsed = time.perf_counter() - t0
        trace = Trace(
            t=np.arange(cfg.n_records) * every * cfg.dt,
            x=rec,  # in the run's dtype: float32 asked, float32 returned
            x_final=x,
            executor=self.name,
            meta={
                "dt": cfg.dt,
                "method": cfg.method,
                "device": "cpu",
                "dtype": self.dtype,
                "seconds": elapsed,
                "seconds_per_step": elapsed / max(n_steps, 1),
            },
        )
        return trace.check_finite(net.card.state)
