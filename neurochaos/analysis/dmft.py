"""Dynamical mean-field theory of the random rate network (Sompolinsky, Crisanti & Sommers 1988).

Time in units of tau. For ``tau dx/dt = -x + J phi(x)``, ``J_ij ~ N(0, g^2/N)``,
the population autocorrelation ``Delta(s) = <x_i(t) x_i(t+s)>`` obeys

    Delta''(s) = Delta(s) - g^2 C(Delta(s); Delta0)
    C(D; D0) = E_z[(E_u phi(sqrt(D0 - D) u + sqrt(D) z))^2],   u, z ~ N(0, 1)

with ``Delta(0) = Delta0``, ``Delta'(0) = 0`` and ``Delta -> 0``. Energy
conservation fixes ``Delta0``: ``Delta0^2 / 2 = g^2 Var_z[Phi(sqrt(Delta0) z)]``
(``Phi`` the antiderivative of ``phi``). Gaussian expectations use
Gauss-Hermite quadrature (``numpy.polynomial.hermite_e.hermegauss``),
``Delta0`` comes from ``scipy.optimize.brentq`` and ``Delta(s)`` from
``scipy.integrate.solve_ivp``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ModelError
from ..validation import check_float, check_int, fail

__all__ = ["DMFTSolution", "solve_dmft", "solve_delta0", "check_dmft_model", "log_cosh"]


def log_cosh(u):
    """``ln cosh(u)``, the antiderivative of tanh with Phi(0) = 0, without overflow.

    >>> float(log_cosh(0.0)), round(float(log_cosh(800.0)), 6)
    (0.0, 799.306853)
    """
    a = np.abs(u)
    return a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0)


@dataclass(frozen=True, eq=False)
class DMFTSolution:
    """Mean-field autocorrelation of the random network.

    Attributes
    ----------
    g : gain
    delta0 : stationary variance Delta(0) = <x_i^2> (0 below the transition)
    s : ndarray, shape (n_s,), time lags, units of tau
    delta : ndarray, shape (n_s,), Delta(s)
    settings : quadrature order, lag grid, phi name
    """

    g: float
    delta0: float
    s: np.ndarray
    delta: np.ndarray
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "g": self.g,
            "delta0": self.delta0,
            "s": self.s.tolist(),
            "delta": self.delta.tolist(),
            "settings": dict(self.settings),
        }


def check_dmft_model(model) -> None:
    """Raise ModelError unless ``model`` is a random tanh rate network (the SCS model).

    ``model`` is a card name, a ModelCard or a RateNetwork. The theory needs a
    rate card with a single gain-scaled ``gaussian`` pathway and ``r = tanh(x)``.

    >>> check_dmft_model("chaotic_rate")
    >>> check_dmft_model("hopfield_rate")
    Traceback (most recent call last):
    ...
    neurochaos.errors.ModelError: `model` must be a random rate network ...
    """
    from ..model import ModelCard, RateNetwork, load_card
    from ..model.network import gain_scales

    card = model.card if isinstance(model, RateNetwork) else model if isinstance(model, ModelCard) else load_card(model)
    problems = []
    if card.kind != "rate":
        problems.append(f"kind {card.kind!r} is not 'rate'")
    if [p.recipe for p in card.pathways] != ["gaussian"]:
        problems.append(f"pathway recipes {[p.recipe for p in card.pathways]} are not exactly ['gaussian']")
    elif not gain_scales(card, card.pathways[0].target):
        problems.append("the gaussian pathway is not scaled by g")
    if card.rate_update.replace(" ", "") != f"{card.rate}=tanh({card.state})":
        problems.append(f"rate update {card.rate_update!r} is not tanh")
    if problems:
        raise ModelError(
            "`model` must be a random rate network (one gain-scaled gaussian pathway, tanh rate) for "
            f"DMFT, got {card.name!r}: " + "; ".join(problems)
        )


def _gauss(order: int):
    z, w = np.polynomial.hermite_e.hermegauss(order)
    return z, w / w.sum()


def _delta0_condition(d0, g, Phi, z, w):
    v = Phi(np.sqrt(d0) * z)
    mean = w @ v
    return 0.5 * d0**2 - g**2 * (w @ (v - mean) ** 2)


def solve_delta0(g: float, *, Phi=log_cosh, order: int = 101, d_max: float = 1e4) -> float:
    """Stationary variance Delta0 from ``Delta0^2 / 2 = g^2 Var_z[Phi(sqrt(Delta0) z)]``.

    Returns the largest positive root (brentq on a logarithmic bracket), or 0
    when the condition has none (``g <= 1`` for tanh).

    >>> solve_delta0(0.8)
    0.0
    >>> 0.7 < solve_delta0(1.5) < 0.8
    True
    """
    from scipy.optimize import brentq

    g = check_float(g, "g", low=0.0)
    z, w = _gauss(check_int(order, "order", min_value=8))
    if g == 0.0:
        return 0.0
    grid = np.geomspace(1e-8, d_max, 241)
    f = np.array([_delta0_condition(d, g, Phi, z, w) for d in grid])
    if f[-1] <= 0:
        fail("g", f"small enough that Delta0 < {d_max:g}", g)
    neg = np.nonzero(f < 0)[0]
    if len(neg) == 0:
        return 0.0
    i = neg[-1]
    return float(brentq(_delta0_condition, grid[i], grid[i + 1], args=(g, Phi, z, w), xtol=1e-14, rtol=1e-13))


def solve_dmft(
    g: float, *, phi=np.tanh, Phi=None, model=None, s_max: float = 20.0, n_s: int = 201, order: int = 61
) -> DMFTSolution:
    """Delta0 and Delta(s) of the random network at gain ``g``.

    Parameters
    ----------
    g : gain (>= 0)
    phi, Phi : odd nonlinearity and its antiderivative (vectorised numpy
        functions); default tanh and ln cosh. ``Phi`` is required with any other phi.
    model : optional card name / ModelCard / RateNetwork; checked with
        :func:`check_dmft_model` (ModelError for structured or mixed cards)
    s_max, n_s : lag grid ``linspace(0, s_max, n_s)``, units of tau
    order : Gauss-Hermite nodes per Gaussian expectation

    Returns
    -------
    DMFTSolution with ``s`` and ``delta`` of shape (n_s,)

    >>> sol = solve_dmft(2.0, s_max=10.0, n_s=11)
    >>> bool(sol.delta0 > 1.0), bool(np.all(np.diff(sol.delta) < 0)), sol.s.shape
    (True, True, (11,))
    """
    from scipy.integrate import solve_ivp

    g = check_float(g, "g", low=0.0)
    s_max = check_float(s_max, "s_max", low=0.0, low_open=True)
    n_s = check_int(n_s, "n_s", min_value=2)
    order = check_int(order, "order", min_value=8)
    if model is not None:
        check_dmft_model(model)
    if phi is np.tanh:
        Phi = log_cosh if Phi is None else Phi
    elif Phi is None:
        fail("Phi", "the antiderivative of phi (a callable) when phi is not tanh", Phi)
    if not callable(phi) or not callable(Phi):
        fail("phi", "callable (phi and Phi)", (phi, Phi))
    probe = np.linspace(0.1, 3.0, 7)
    if not np.allclose(phi(-probe), -phi(probe)):
        fail("phi", "odd (phi(-u) = -phi(u); the theory assumes Delta(s) -> 0)", getattr(phi, "__name__", phi))
    if not np.allclose((Phi(probe + 1e-5) - Phi(probe - 1e-5)) / 2e-5, phi(probe), rtol=1e-4, atol=1e-6):
        fail("Phi", "the antiderivative of phi", getattr(Phi, "__name__", Phi))
    delta0 = solve_delta0(g, Phi=Phi, order=max(order, 101))
    s = np.linspace(0.0, s_max, n_s)
    settings = {"order": order, "s_max": s_max, "n_s": n_s, "phi": getattr(phi, "__name__", str(phi))}
    if delta0 == 0.0:
        return DMFTSolution(g, 0.0, s, np.zeros(n_s), settings)
    z, w = _gauss(order)

    def C(D):
        D = min(max(D, 0.0), delta0)
        inner = phi(np.sqrt(delta0 - D) * z[None, :] + np.sqrt(D) * z[:, None]) @ w  # E_u, one per z
        return w @ inner**2

    def rhs(_s, y):
        return [y[1], y[0] - g**2 * C(y[0])]

    def turned(_s, y):  # Delta' returns to 0 (numerical drift away from the separatrix)
        return y[1]

    def crossed(_s, y):
        return y[0]

    turned.terminal = crossed.terminal = True
    turned.direction, crossed.direction = 1, -1
    sol = solve_ivp(
        rhs,
        (0.0, s_max),
        [delta0, 0.0],
        method="DOP853",
        t_eval=s,
        events=[turned, crossed],
        rtol=1e-10,
        atol=1e-13,
        dense_output=True,
    )
    delta = np.zeros(n_s)
    delta[: len(sol.t)] = sol.y[0]
    if len(sol.t) < n_s:  # exponential tail with the linearised rate sqrt(1 - g^2 <phi'>^2)
        s_end = sol.t_events[0][0] if len(sol.t_events[0]) else sol.t_events[1][0]
        d_end = max(float(sol.sol(s_end)[0]), 0.0)
        eps = 1e-6
        dphi = (phi(np.sqrt(delta0) * z + eps) - phi(np.sqrt(delta0) * z - eps)) / (2 * eps)
        kappa = np.sqrt(max(1.0 - g**2 * (w @ dphi) ** 2, 0.0))
        rest = slice(len(sol.t), None)
        delta[rest] = d_end * np.exp(-kappa * (s[rest] - s_end))
        settings["tail_from"] = float(s_end)
    return DMFTSolution(g, delta0, s, delta, settings)
