"""Jacobians of a rate network's integration step, from the model itself.

The step ``x_{n+1} = F(x_n, n)`` is the pure function generated from the card's
Brian2 declaration (:func:`neurochaos.executors.torch_engine.make_step`); its
Jacobian comes from torch autograd, so any rate card (chaotic, structured,
mixed, trained weights, any integration method) works.

Many cards integrate ``tau dx/dt = -x + W_eff(g) tanh(x) + b`` with a step
of the *drift form* ``F(x) = x + h (-x + W_eff tanh(x) + b)`` (h = dt for
Euler, ``1 - exp(-dt)`` for Brian2's exponential Euler, which both hold the
recurrent input fixed within a step). The Runge-Kutta methods (``rk2``,
``heun``, ``rk4``) recompute the input at every stage and are never of drift
form; their Jacobian comes from autograd. For drift-form steps,
:func:`detect_drift_form` checks the form numerically against the generated
step and the Jacobian is analytic:
``D = (1 - h) I + h W_eff diag(1 - tanh(x)^2)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, ModelError
from ..executors import RunConfig
from ..executors.integrators import TABLEAUX
from ..validation import check_finite_array, check_float, fail

__all__ = ["DriftForm", "detect_drift_form", "step_jacobian", "run_config_for", "make_autograd_step", "check_times"]


def make_autograd_step(network, config: RunConfig, **kwargs):
    """:func:`~neurochaos.executors.torch_engine.make_step` whose matrix products stay in torch.

    torch.func transforms (jvp, vmap, jacfwd) need every product computed by
    torch, so a numpy BLAS option of the engine, where it exists, is turned off.
    """
    import inspect

    from ..executors.torch_engine import make_step

    if "cpu_blas" in inspect.signature(make_step).parameters:
        kwargs["cpu_blas"] = "torch"
    return make_step(network, config, **kwargs)


@dataclass(frozen=True, eq=False)
class DriftForm:
    """A step of the form ``x + h (-x + (A + g B) tanh(x) + b)``.

    Attributes
    ----------
    h : effective step (units of tau), depends on dt and the method
    A, B : ndarray (N, N), gain-independent and gain-scaled coupling, ``W[post, pre]``
    bias : ndarray (N,)
    """

    h: float
    A: np.ndarray
    B: np.ndarray
    bias: np.ndarray

    def coupling(self, g: float) -> np.ndarray:
        """Total coupling ``A + g B`` at gain ``g``, shape (N, N)."""
        return self.A + g * self.B


def run_config_for(
    network,
    *,
    T: float,
    dt: float | None = None,
    method: str | None = None,
    dtype: str = "float64",
    device: str = "cpu",
) -> RunConfig:
    """A :class:`RunConfig` with the card's default ``dt`` and ``method`` filled in."""
    if network.card.kind != "rate":
        raise ModelError(f"`model` must be a rate model, got kind {network.card.kind!r} ({network.card.name})")
    prm = network.card.parameters
    return RunConfig(
        T=T,
        dt=prm.get("dt", 0.1) if dt is None else dt,
        method=method or prm.get("method", "euler"),
        dtype=dtype,
        device=device,
    )


def check_times(T, t_ons, transient, dt):
    """Validate the Lyapunov times (units of tau) and return (n_ons, n_transient, n_measured).

    ``n_ons`` steps per orthonormalisation interval; the transient and the
    measured time are counted in such intervals.

    >>> check_times(10.0, 1.0, 2.5, 0.1)
    (10, 3, 10)
    """
    T = check_float(T, "T", low=0.0, low_open=True)
    t_ons = check_float(t_ons, "t_ons", low=0.0, low_open=True)
    transient = check_float(transient, "transient", low=0.0)
    if t_ons < dt:
        fail("t_ons", f">= dt = {dt}", t_ons)
    if T < t_ons:
        fail("T", f">= t_ons = {t_ons}", T)
    n_ons = max(1, int(round(t_ons / dt)))
    return n_ons, int(math.ceil(transient / (n_ons * dt) - 1e-9)), max(1, int(round(T / (n_ons * dt))))


def renormalisation_intervals(n_tr: int, n_meas: int, n_ons: int, *, desc: str, progress: bool):
    """The intervals of a Lyapunov estimate: yields ``(j, steps)`` for j = 0 .. n_tr + n_meas - 1.

    ``steps`` is the range of the ``n_ons`` integration-step indices of interval j (the
    caller advances through them, then renormalises); ``j >= n_tr`` are the measured
    intervals. A tqdm bar over intervals when ``progress``.

    >>> [(j, list(s)) for j, s in renormalisation_intervals(1, 1, 2, desc="", progress=False)]
    [(0, [0, 1]), (1, [2, 3])]
    """
    from tqdm.auto import tqdm

    for j in tqdm(range(n_tr + n_meas), desc=desc, unit="ons", mininterval=0.5, disable=not progress):
        yield j, range(j * n_ons, (j + 1) * n_ons)


def detect_drift_form(network, config: RunConfig, *, seed: int = 0) -> DriftForm | None:
    """Return the :class:`DriftForm` of the network's step, or None if it has another form.

    The check runs the generated step (float64, CPU) on random states at two
    gains and compares with the drift form to 1e-9 relative. A Runge-Kutta method
    (:data:`~neurochaos.executors.integrators.TABLEAUX`) is never of drift form.

    >>> from neurochaos.model import build_network
    >>> net = build_network("chaotic_rate", N=10, g=2.0, seed=0)
    >>> f = detect_drift_form(net, run_config_for(net, T=1.0, dt=0.1))
    >>> round(f.h, 6)
    0.1
    """
    import torch

    from ..executors.torch_engine import make_step

    if config.method in TABLEAUX:
        return None
    A = network.effective_coupling(0.0)
    B = network.effective_coupling(1.0) - A
    b = network.bias
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.5, size=(3, network.N))
    h = None
    for g in (0.37, 1.9):
        step = make_step(network, config, gains=[g], device="cpu", dtype="float64")
        with torch.no_grad():
            xn = step(torch.as_tensor(x), 0).numpy()
        drift = -x + np.tanh(x) @ (A + g * B).T + b
        if h is None:
            h = float(np.sum((xn - x) * drift) / max(np.sum(drift * drift), 1e-300))
        if not np.allclose(xn, x + h * drift, rtol=1e-9, atol=1e-12):
            return None
    return DriftForm(h=h, A=A, B=B, bias=np.array(b))


def step_jacobian(
    network, x, *, n: int = 0, dt: float | None = None, method: str | None = None, analytic: bool = False
) -> np.ndarray:
    """Jacobian dF/dx of integration step ``n`` at state ``x``.

    Parameters
    ----------
    network : RateNetwork
    x : ndarray, shape (N,), state (dimensionless)
    n : step index (selects the gain g(n dt) of a schedule)
    dt, method : step in units of tau and Brian2 method (default: the card's)
    analytic : use the drift-form formula instead of autograd (ConfigError if
        the card's step is not of drift form)

    Returns
    -------
    ndarray, shape (N, N), ``D[i, j] = dF_i / dx_j`` (dimensionless)

    >>> from neurochaos.model import build_network
    >>> net = build_network("chaotic_rate", N=5, g=2.0, seed=0)
    >>> D = step_jacobian(net, np.zeros(5), dt=0.1)
    >>> bool(np.allclose(D, 0.9 * np.eye(5) + 0.1 * 2.0 * net.weights["rand"]))
    True
    """
    import torch

    x = check_finite_array(x, "x", shape=(network.N,))
    cfg = run_config_for(
        network, T=max(n + 1, 1) * (dt or network.card.parameters.get("dt", 0.1)), dt=dt, method=method
    )
    gains = network.gain.sample(cfg.n_steps + 1, cfg.dt)
    if analytic:
        form = detect_drift_form(network, cfg)
        if form is None:
            raise ConfigError(
                f"`analytic` must be False for card {network.card.name!r} with method "
                f"{cfg.method!r}: its step is not x + h(-x + W tanh(x) + b), got analytic=True"
            )
        from ..executors.integrators import timed_array_index

        g = gains[timed_array_index(n * cfg.dt, cfg.dt, len(gains))]
        return (1 - form.h) * np.eye(network.N) + form.h * form.coupling(g) * (1 - np.tanh(x) ** 2)[None, :]
    step = make_autograd_step(network, cfg, gains=gains, device="cpu", dtype="float64")
    jac = torch.func.jacfwd(lambda y: step(y[None, :], n)[0])(torch.as_tensor(x))
    return jac.numpy()
