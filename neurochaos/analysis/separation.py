"""Largest Lyapunov exponent from two nearby trajectories (separation 1e-8, renormalised every t_ons).

The cross-check of the QR method in :mod:`neurochaos.analysis.lyapunov`: it
uses only the card's own step (no Jacobian), so it is independent of the
tangent-space code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import DivergenceError
from ..model import seed_streams
from ..validation import check_finite_array, check_float, check_int
from .jacobian import check_times, renormalisation_intervals, run_config_for

__all__ = ["MaxLyapunov", "compute_lambda_max"]


@dataclass(frozen=True, eq=False)
class MaxLyapunov:
    """Largest exponent from two nearby trajectories.

    Attributes
    ----------
    lambda_max : 1/tau
    trace_t : ndarray, shape (n_ons,), tau since the end of the transient
    trace : ndarray, shape (n_ons,), running estimate, 1/tau
    settings : resolved settings
    """

    lambda_max: float
    trace_t: np.ndarray
    trace: np.ndarray
    settings: dict = field(default_factory=dict)


def compute_lambda_max(
    network,
    *,
    T: float = 200.0,
    t_ons: float = 1.0,
    transient: float = 50.0,
    d0: float = 1e-8,
    dt: float | None = None,
    method: str | None = None,
    x0=None,
    seed: int = 0,
    device: str = "cpu",
    dtype: str = "float64",
    progress: bool = False,
    perturb=None,
) -> MaxLyapunov:
    """Largest Lyapunov exponent from a reference and a perturbed trajectory.

    The perturbed state starts ``d0`` away along a random direction and is
    pulled back to distance ``d0`` every ``t_ons``; ``lambda_max`` is the mean
    of ``log(d / d0)`` per unit time after the transient. Uses the card's own
    step (any rate card). With the same ``seed`` and ``dt``, ``x0`` equals that
    of :func:`compute_lyapunov_spectra` for a single network.

    Parameters
    ----------
    network : RateNetwork
    T, t_ons, transient : units of tau (as in :func:`compute_lyapunov_spectra`)
    d0 : initial and renormalised separation (Euclidean norm)
    perturb : optional (N,) 0/1 mask of the units the perturbation starts on (None: all). Units
        that receive nothing from the others (a driving pool) then never separate, and the
        result is the conditional exponent of the driven units

    >>> from neurochaos.model import build_network
    >>> r = compute_lambda_max(build_network("chaotic_rate", N=30, g=0.5, seed=0), T=20.0, transient=5.0)
    >>> bool(r.lambda_max < 0)
    True
    """
    import torch

    from ..executors.torch_engine import make_step

    d0 = check_float(d0, "d0", low=0.0, low_open=True)
    seed = check_int(seed, "seed", min_value=0)
    cfg0 = run_config_for(network, T=1.0, dt=dt, method=method, dtype=dtype, device=device)
    n_ons, n_tr, n_meas = check_times(T, t_ons, transient, cfg0.dt)
    n_steps = (n_tr + n_meas) * n_ons
    cfg = run_config_for(network, T=n_steps * cfg0.dt, dt=cfg0.dt, method=cfg0.method, dtype=dtype, device=device)
    rng_x, rng_q = seed_streams(seed, 2)
    x0 = rng_x.normal(size=network.N) if x0 is None else check_finite_array(x0, "x0", shape=(network.N,))
    u = rng_q.normal(size=network.N)
    if perturb is not None:
        u = u * check_finite_array(perturb, "perturb", shape=(network.N,))
        if not np.any(u):
            raise ValueError("`perturb` must select at least one unit, got an all-zero mask")
    step = make_step(network, cfg, device=device, dtype=dtype)
    x = torch.as_tensor(np.stack([x0, x0 + d0 * u / np.linalg.norm(u)]), dtype=step.dtype, device=step.device)
    total, trace = 0.0, np.empty(n_meas)
    intervals = renormalisation_intervals(n_tr, n_meas, n_ons, desc=f"two-trajectory N={network.N}", progress=progress)
    with torch.no_grad():
        for j, block in intervals:
            for n in block:
                x = step(x, n)
            n = block.stop
            delta = x[1] - x[0]
            d = float(torch.linalg.vector_norm(delta))
            if not math.isfinite(d) or d == 0.0:
                raise DivergenceError(
                    f"trajectory separation became {d} at step {n} (t = {n * cfg.dt:g} tau); "
                    "increase d0 or check the weights"
                )
            x[1] = x[0] + delta * (d0 / d)
            if j >= n_tr:
                total += math.log(d / d0)
                trace[j - n_tr] = total / ((j - n_tr + 1) * n_ons * cfg.dt)
    settings = {
        "T": n_meas * n_ons * cfg.dt,
        "t_ons": n_ons * cfg.dt,
        "transient": n_tr * n_ons * cfg.dt,
        "dt": cfg.dt,
        "method": cfg.method,
        "d0": d0,
        "seed": seed,
        "device": str(step.device),
        "dtype": dtype,
        "N": network.N,
        "perturbed_units": network.N if perturb is None else int(np.count_nonzero(perturb)),
        "model": network.card.name,
        "network_seed": network.seed,
    }
    return MaxLyapunov(
        lambda_max=float(trace[-1]), trace_t=(np.arange(n_meas) + 1) * n_ons * cfg.dt, trace=trace, settings=settings
    )
