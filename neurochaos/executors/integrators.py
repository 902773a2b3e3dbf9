"""Integration methods of rate networks and the order each one delivers.

Two families:

- **Brian2 state updaters** (``euler``, ``exponential_euler``): Brian2 writes
  the step as abstract code and every executor runs that code. Both are first
  order. Brian2's ``(summed)`` synapses compute the recurrent input once per
  step, before the neurons are updated, so within a step the input is a
  constant; for these two methods that is what the method itself assumes.
- **Explicit Runge-Kutta methods** (``rk2`` = explicit midpoint, ``heun`` =
  explicit trapezoid, ``rk4`` = the classical method), run by the torch
  engine: the recurrent input ``W tanh(x)`` is recomputed at every stage, so
  the step has the method's nominal order for the whole network. On Brian2 the
  same names would re-evaluate only the leak (the summed input stays frozen),
  which is first order (measured: "rk4" 10.7 %, 5.4 %, 2.7 % error at
  t = 4 tau for dt = 0.1, 0.05, 0.025), so the Brian2 executors refuse them for
  cards with summed recurrent input (:func:`check_method`).

A tableau's stage times are ``t + c_i dt``; a gain schedule is read there
(Brian2's TimedArray rule, piecewise constant over steps), so a time-varying
gain lowers the order to the schedule's own smoothness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ConfigError

__all__ = [
    "Tableau",
    "TABLEAUX",
    "BRIAN2_METHODS",
    "METHODS",
    "METHOD_HELP",
    "ORDER",
    "check_method",
    "assemble_step",
    "step_setup",
    "StepSetup",
    "timed_array_index",
]


@dataclass(frozen=True)
class Tableau:
    """Butcher tableau of an explicit Runge-Kutta method.

    Attributes
    ----------
    c : stage times as fractions of dt, length s
    a : lower-triangular stage coefficients, row i has i entries
    b : weights of the stage derivatives, length s
    order : nominal order of convergence
    """

    c: tuple
    a: tuple
    b: tuple
    order: int


TABLEAUX = {
    "rk2": Tableau(c=(0.0, 0.5), a=((), (0.5,)), b=(0.0, 1.0), order=2),
    "heun": Tableau(c=(0.0, 1.0), a=((), (1.0,)), b=(0.5, 0.5), order=2),
    "rk4": Tableau(
        c=(0.0, 0.5, 0.5, 1.0),
        a=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)),
        b=(1 / 6, 1 / 3, 1 / 3, 1 / 6),
        order=4,
    ),
}

#: Methods whose step Brian2's state updater writes (every executor runs them).
BRIAN2_METHODS = ("euler", "exponential_euler")
#: Every method name a RunConfig accepts.
METHODS = BRIAN2_METHODS + tuple(TABLEAUX)
#: Nominal order of convergence of each method for rate networks.
ORDER = {"euler": 1, "exponential_euler": 1, **{k: t.order for k, t in TABLEAUX.items()}}
#: The CLI's help for ``--method``.
METHOD_HELP = (
    "integration method: euler or exponential_euler (first order, every executor), rk2, heun (second order) "
    "or rk4 (fourth order; torch engine, which recomputes the recurrent input at every stage); default: the card's"
)


def check_method(network, method: str, executor: str, offered: tuple = BRIAN2_METHODS) -> None:
    """Raise ConfigError when ``executor`` would run ``method`` below its order.

    ``offered`` is the executor's ``methods``. Brian2 holds ``(summed)``
    synaptic input fixed within a step, so on a Brian2 executor a multi-stage
    method would re-evaluate only the leak of a rate card whose recurrent
    input is a summed pathway.
    """
    card = network.card
    if method not in offered and card.kind == "rate" and card.pathways:
        raise ConfigError(
            f"`method` must be one of {list(offered)} for card {card.name!r} on executor {executor!r}, "
            f"got {method!r}: Brian2 holds the (summed) recurrent input fixed within a step, so {method!r} would "
            f"be first order, not order {ORDER[method]}; use the 'torch' executor, which re-evaluates the input "
            "at every stage"
        )


def assemble_step(
    compiled, card, *, consts, products, state_fn, rate_fn, derivative, gain, dt_s, tau_s, tableau, zeros_like
):
    """The pure step ``step(x, n)`` of a rate card, for any array library with ``@`` and arithmetic.

    One copy of the rule every array executor (torch, numpy) runs: the rate from the
    generated ``rate_fn``, each pathway's summed input from ``products``, then
    Brian2's generated ``state_fn`` (Euler, exponential Euler) or, for a
    :class:`Tableau`, the Runge-Kutta stages of the generated ``derivative`` with
    the recurrent input recomputed at every stage.

    Parameters
    ----------
    compiled : the card's :class:`~neurochaos.executors.codegen.CompiledRateModel`
        (its ``inputs`` and ``rate_inputs``)
    card : the ModelCard (``state`` and ``rate`` names)
    consts : name -> array, the constant neuron variables (``b`` and settable ones)
    products : list of (target, fn(rate_outputs) -> summed input (M, N)), one per pathway
    state_fn, rate_fn, derivative : the generated update, rate and right-hand-side functions
        for this array library (``derivative`` is used by tableaux only)
    gain : function t (s) -> gain
    dt_s, tau_s : step and time constant in seconds
    tableau : a Tableau, or None for the Brian2 state updater
    zeros_like : the library's zeros_like (inputs no pathway writes are 0)
    """
    xname, rate_inputs, inputs = card.state, compiled.rate_inputs, compiled.inputs

    def inputs_at(x):
        env = {xname: x, **consts}
        rr = rate_fn(*[env[k] for k in rate_inputs])
        env[card.rate] = rr[0]
        for target, product in products:
            current = product(rr)
            env[target] = env[target] + current if target in env else current
        return [env[k] if k in env else zeros_like(x) for k in inputs]

    if tableau is None:

        def step(x, n):
            (xn,) = state_fn(x, *inputs_at(x), n * dt_s, dt_s, tau_s, gain)
            return xn

        return step
    deriv = derivative

    def step(x, n):  # explicit Runge-Kutta: the recurrent input is recomputed at every stage
        t = n * dt_s
        ks = []
        for c, a in zip(tableau.c, tableau.a):
            y = x
            for aij, k in zip(a, ks):
                if aij:
                    y = y + (aij * dt_s) * k
            (k,) = deriv(y, *inputs_at(y), t + c * dt_s, tau_s, gain)
            ks.append(k)
        xn = x
        for bi, k in zip(tableau.b, ks):
            if bi:
                xn = xn + (bi * dt_s) * k
        return xn

    return step


def timed_array_index(t: float, dt: float, n_values: int) -> int:
    """Index Brian2's TimedArray reads at time ``t`` for values spaced ``dt``.

    Mirrors Brian2's rule (``K`` oversampling, round half up, clip) when the
    TimedArray's dt equals the clock's dt, so both sides read the same gain.
    """
    K = 8  # brian2.input.timedarray._find_K(dt, dt)
    eps = dt / K
    i = int((t / eps + 0.5) / K)
    return min(max(i, 0), n_values - 1)


@dataclass(frozen=True)
class StepSetup:
    """What an array executor's step takes from the network and the run (see :func:`step_setup`).

    Attributes
    ----------
    compiled : the card's CompiledRateModel for the run's method
    tableau : the method's Tableau, or None (Brian2 state updater)
    weights : pathway name -> (N, N) array (the network's, or the run's overrides)
    bias : (N,) or (M, N)
    pathways : (pathway, summed target) of every pathway, in the card's order
    gains : the gains sampled at n dt, n = 0 .. n_steps (list of floats)
    gain : function t (s) -> gain, Brian2's TimedArray rule over ``gains``
    dt_s, tau_s : step and time constant in seconds
    """

    compiled: object
    tableau: object
    weights: dict
    bias: object
    pathways: list
    gains: list
    gain: Callable
    dt_s: float
    tau_s: float


def step_setup(network, config, engine: str, *, weights=None, gains=None, bias=None) -> StepSetup:
    """The checks and constants every array executor (torch, numpy) builds its step from.

    ``engine`` names the executor in error messages. Raises ConfigError for a card with
    more than one integrated variable or a pathway that sums another variable than the rate.
    """
    from .codegen import compile_rate_model, summed_pathway  # sympy and Brian2: only when a step is made

    card = network.card
    compiled = compile_rate_model(card, config.method)
    if len(compiled.state_vars) != 1:
        raise ConfigError(
            f"`model` must have one integrated variable for the {engine} engine, got {compiled.state_vars}"
        )
    if gains is None:
        gains = network.gain.sample(config.n_steps + 1, config.dt)
    gains = [float(v) for v in gains]
    tau_s = network.tau_ms * 1e-3
    dt_s = config.dt * tau_s
    n_g = len(gains)

    def gain(t):
        return gains[timed_array_index(t, dt_s, n_g)]

    pathways = []
    for p in card.pathways:
        target, pre = summed_pathway(p.model, p.weight, card.path or card.name)
        if pre != card.rate:
            raise ConfigError(f"pathway {p.name!r} sums `{pre}_pre`; the {engine} engine sums the rate `{card.rate}`")
        pathways.append((p, target))
    return StepSetup(
        compiled=compiled,
        tableau=TABLEAUX.get(config.method),
        weights=network.weights if weights is None else weights,
        bias=network.bias if bias is None else bias,
        pathways=pathways,
        gains=gains,
        gain=gain,
        dt_s=dt_s,
        tau_s=tau_s,
    )
