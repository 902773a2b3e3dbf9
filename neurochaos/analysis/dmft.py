"""Dynamical mean-field theory of the random rate network (Sompolinsky, Crisanti & Sommers 1988).

Time in units of tau. For ``tau dx/dt = -x + J phi(x)``, ``J_ij ~ N(0, g^2/N)``,
the population autocorrelation ``Delta(s) = <x_i(t) x_i(t+s)>`` obeys

    Delta''(s) = Delta(s) - g^2 C(Delta(s); Delta0)
    C(D; D0) = E_z[(E_u phi(sqrt(D0 - D) u + sqrt(D) z))^2],   u, z ~ N(0, 1)

with ``Delta(0) = Delta0``, ``Delta'(0) = 0`` and ``Delta -> 0``. Energy
conservation fixes ``Delta0``: ``Delta0^2 / 2 = g^2 Var_z[Phi(sqrt(Delta0) z)]``
(``Phi`` the antiderivative of ``phi``). ``Delta0`` comes from
``scipy.optimize.brentq`` and ``Delta(s)`` from ``scipy.integrate.solve_ivp``.

Gaussian expectations: by default a split Gauss-Legendre rule on ``[-L, L]``,
``L = 9``, broken where the integrand bends (``z = 0`` and, inside C, where the
argument of phi crosses 0), whose order is doubled until two successive orders
agree to ``tol`` (Delta0, and C at six D). An explicit ``order`` selects a fixed
Gauss-Hermite rule instead (``scipy.special.roots_hermitenorm``). Every node,
weight and result is checked finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..errors import DivergenceError, ModelError
from ..validation import check_float, check_int, fail

__all__ = ["DMFTSolution", "solve_dmft", "solve_delta0", "check_dmft_model", "log_cosh"]

_L = 9.0  # half-width of the truncated Gaussian range; mass outside 2e-19
_TOL = 1e-8
_MAX_ORDER = 1024


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


@dataclass(frozen=True, eq=False)
class _Rule:
    """A quadrature for Gaussian expectations, z ~ N(0, 1).

    ``z, w`` (shape (m,)): nodes z >= 0 and weights with ``E f ~= w @ f(z)``
    for an *even* f (all outer integrands here are even because phi is odd).
    :meth:`inner` gives ``E_u phi(a u + b)`` for a vector of b.
    """

    name: str  # "split-legendre" or "gauss-hermite"
    order: int  # Gauss-Legendre nodes per piece, or Gauss-Hermite nodes
    z: np.ndarray
    w: np.ndarray
    zf: np.ndarray  # gauss-hermite: all nodes and weights; split-legendre: Legendre nodes, weights on [0, 1]
    wf: np.ndarray

    def inner(self, phi, a: float, b: np.ndarray) -> np.ndarray:
        """``E_u phi(a u + b)``, shape (len(b),); the split rule breaks [-L, L] at ``u = -b / a``."""
        if self.name == "gauss-hermite":
            return phi(a * self.zf[None, :] + b[:, None]) @ self.wf
        us = (np.clip(-b / a, -_L, _L) if a > 0 else -_L * np.sign(b))[:, None]
        u = np.concatenate([-_L + (us + _L) * self.zf, us + (_L - us) * self.zf], axis=1)
        wu = np.concatenate([(us + _L) * self.wf, (_L - us) * self.wf], axis=1) * np.exp(-0.5 * u**2)
        return np.sum(phi(a * u + b[:, None]) * wu, axis=1) / math.sqrt(2 * math.pi)


def _checked(rule: _Rule) -> _Rule:
    arrays = (rule.z, rule.w, rule.zf, rule.wf)
    if not all(np.all(np.isfinite(x)) for x in arrays) or np.any(rule.w < 0) or np.any(rule.wf < 0):
        fail("order", f"small enough that the {rule.name} nodes and weights are finite and >= 0", rule.order)
    return rule


@lru_cache(maxsize=32)
def _gauss_hermite(order: int) -> _Rule:
    from scipy.special import roots_hermitenorm  # Golub-Welsch; asymptotic (finite) beyond 150 nodes

    z, w = roots_hermitenorm(order)
    w = w / w.sum()
    half = z >= 0
    return _checked(_Rule("gauss-hermite", order, z[half], np.where(z[half] > 0, 2.0, 1.0) * w[half], z, w))


@lru_cache(maxsize=32)
def _split_legendre(order: int) -> _Rule:
    from scipy.special import roots_legendre

    t, wt = roots_legendre(order)
    t, wt = (t + 1) / 2, wt / 2
    w = 2 * _L * wt * np.exp(-0.5 * (_L * t) ** 2) / math.sqrt(2 * math.pi)  # both halves of [-L, L]
    return _checked(_Rule("split-legendre", order, _L * t, w, t, wt))


def _adapt(value, tol: float, max_order: int, what: str):
    """Double the split-Legendre order from 8 until ``value(rule)`` (an array) changes by <= ``tol``
    relative to its largest entry; returns ``(rule, value)`` of the finer order."""
    prev, err = None, math.inf
    n = 8
    while n <= max_order:
        rule = _split_legendre(n)
        v = np.atleast_1d(value(rule))
        if prev is not None:
            scale = np.max(np.abs(v))
            err = float(np.max(np.abs(v - prev)) / scale) if scale > 0 else 0.0
            if err <= tol:
                return rule, v
        prev, n = v, 2 * n
    fail("tol", f"reachable for {what} with max_order = {max_order} (relative change {err:.1e} at order {n // 2})", tol)


def _delta0_condition(d0, g, Phi, z, w):
    v = Phi(np.sqrt(d0) * z)
    mean = w @ v
    return 0.5 * d0**2 - g**2 * (w @ (v - mean) ** 2)


def _delta0_fixed(g: float, Phi, rule: _Rule, d_max: float) -> float:
    from scipy.optimize import brentq

    if g == 0.0:
        return 0.0
    grid = np.geomspace(1e-8, d_max, 241)
    f = np.array([_delta0_condition(d, g, Phi, rule.z, rule.w) for d in grid])
    if not np.all(np.isfinite(f)):
        d = grid[~np.isfinite(f)][0]
        fail(
            "Phi",
            f"finite at sqrt(Delta0) z on the {rule.name} nodes (order {rule.order})",
            f"nan at Delta0 = {d:g}",
            cls=DivergenceError,
        )
    if f[-1] <= 0:
        fail("g", f"small enough that Delta0 < {d_max:g}", g)
    neg = np.nonzero(f < 0)[0]
    if len(neg) == 0:
        return 0.0
    i = neg[-1]
    d0 = float(brentq(_delta0_condition, grid[i], grid[i + 1], args=(g, Phi, rule.z, rule.w), xtol=1e-14, rtol=1e-13))
    if not math.isfinite(d0):
        fail("Delta0", "finite", d0, f"{rule.name} order {rule.order}", cls=DivergenceError)
    return d0


def _solve_delta0(g, Phi, order, tol, max_order, d_max):
    g = check_float(g, "g", low=0.0)
    if order is not None:
        rule = _gauss_hermite(check_int(order, "order", min_value=8))
        return _delta0_fixed(g, Phi, rule, d_max), rule
    tol = check_float(tol, "tol", low=0.0, high=0.1, low_open=True)
    max_order = check_int(max_order, "max_order", min_value=16)
    rule, v = _adapt(lambda r: _delta0_fixed(g, Phi, r, d_max), tol, max_order, "Delta0")
    return float(v[0]), rule


def solve_delta0(
    g: float,
    *,
    Phi=log_cosh,
    order: int | None = None,
    tol: float = _TOL,
    max_order: int = _MAX_ORDER,
    d_max: float = 1e4,
) -> float:
    """Stationary variance Delta0 from ``Delta0^2 / 2 = g^2 Var_z[Phi(sqrt(Delta0) z)]``.

    Returns the largest positive root (brentq on a logarithmic bracket), or 0
    when the condition has none (``g <= 1`` for tanh). With ``order=None`` the
    split Gauss-Legendre order is doubled (8, 16, ... <= ``max_order``) until two
    successive Delta0 agree to ``tol`` relative (ConfigError naming ``tol`` if
    they never do); an integer ``order`` uses that many Gauss-Hermite nodes.

    >>> solve_delta0(0.8)
    0.0
    >>> 0.7 < solve_delta0(1.5) < 0.8
    True
    """
    return _solve_delta0(g, Phi, order, tol, max_order, d_max)[0]


def _corr(phi, D: float, d0: float, rule: _Rule) -> float:
    """``C(D; D0)``, the correlation of phi at lag covariance D (clipped to [0, D0])."""
    D = min(max(D, 0.0), d0)
    return float(rule.w @ rule.inner(phi, math.sqrt(d0 - D), math.sqrt(D) * rule.z) ** 2)


def solve_dmft(
    g: float,
    *,
    phi=np.tanh,
    Phi=None,
    model=None,
    s_max: float = 20.0,
    n_s: int = 201,
    order: int | None = None,
    tol: float = _TOL,
    max_order: int = _MAX_ORDER,
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
    order : None (default): adaptive split Gauss-Legendre rule; an integer: a
        fixed Gauss-Hermite rule with that many nodes per Gaussian expectation
    tol, max_order : adaptive rule only; relative agreement of two successive
        orders (Delta0, and C at D/Delta0 = 0.25 ... 1) and the largest order
        tried (ConfigError naming ``tol`` when it is not enough)

    Returns
    -------
    DMFTSolution with ``s`` and ``delta`` of shape (n_s,); ``settings`` holds the
    rule, ``order`` (C) and ``order_delta0`` used, and ``tol``.

    >>> sol = solve_dmft(2.0, s_max=10.0, n_s=11)
    >>> bool(sol.delta0 > 1.0), bool(np.all(np.diff(sol.delta) < 0)), sol.s.shape
    (True, True, (11,))
    """
    from scipy.integrate import solve_ivp

    g = check_float(g, "g", low=0.0)
    s_max = check_float(s_max, "s_max", low=0.0, low_open=True)
    n_s = check_int(n_s, "n_s", min_value=2)
    if order is not None:
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
    delta0, rule0 = _solve_delta0(g, Phi, order, tol, max_order, 1e4)
    s = np.linspace(0.0, s_max, n_s)
    settings = {
        "rule": rule0.name,
        "order": rule0.order,
        "order_delta0": rule0.order,
        "tol": None if order is not None else tol,
        "s_max": s_max,
        "n_s": n_s,
        "phi": getattr(phi, "__name__", str(phi)),
    }
    if delta0 == 0.0:
        return DMFTSolution(g, 0.0, s, np.zeros(n_s), settings)
    rule = rule0
    if order is None:
        probes = delta0 * np.array([0.25, 0.5, 0.75, 0.9, 0.99, 1.0])
        rule, _ = _adapt(lambda r: [_corr(phi, D, delta0, r) for D in probes], tol, max_order, "C(D; Delta0)")
        settings["order"] = rule.order

    def rhs(_s, y):
        return [y[1], y[0] - g**2 * _corr(phi, y[0], delta0, rule)]

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
        atol=1e-13 * max(delta0, 1.0),
        dense_output=True,
    )
    delta = np.zeros(n_s)
    delta[: len(sol.t)] = sol.y[0]
    if len(sol.t) < n_s:  # exponential tail with the linearised rate sqrt(1 - g^2 <phi'>^2)
        s_end = sol.t_events[0][0] if len(sol.t_events[0]) else sol.t_events[1][0]
        d_end = max(float(sol.sol(s_end)[0]), 0.0)
        if d_end == 0.0 and len(sol.t) and sol.y[0][-1] > 0:  # it crossed 0 (integration noise at ~atol):
            s_end, d_end = float(sol.t[-1]), float(sol.y[0][-1])  # the tail starts at the last positive point
        eps = 1e-6
        u = np.sqrt(delta0) * rule.z
        kappa = np.sqrt(max(1.0 - g**2 * (rule.w @ ((phi(u + eps) - phi(u - eps)) / (2 * eps))) ** 2, 0.0))
        rest = slice(len(sol.t), None)
        delta[rest] = d_end * np.exp(-kappa * (s[rest] - s_end))
        settings["tail_from"] = float(s_end)
    if not np.all(np.isfinite(delta)):
        fail(
            "Delta(s)",
            "finite",
            f"nan at s = {s[~np.isfinite(delta)][0]:g}",
            f"{rule.name} order {rule.order}",
            cls=DivergenceError,
        )
    return DMFTSolution(g, delta0, s, delta, settings)
