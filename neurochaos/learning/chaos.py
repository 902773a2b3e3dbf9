"""How chaotic a generative network's free dynamics are, and chaos homeostasis during training.

:func:`chaos_probe` measures, on the free dynamics (no clamping):

- ``lambda_max``: the two-trajectory largest Lyapunov exponent (1/tau), averaged over a
  few starts (:func:`~neurochaos.learning.sampling.largest_lyapunov`);
- ``saturated``: the fraction of units with ``|tanh x|`` > 0.99 after time T from random
  starts (all units, and visible / hidden separately);
- ``jacobian_radius``: the spectral radius of ``(g J0 + A) diag(1 - tanh^2 x)``, the
  coupling part of the Jacobian tau dF/dx + I, averaged over those states. It exceeds 1
  in chaotic random networks (Sompolinsky et al. 1988); saturation pushes it below 1.

:func:`adapt_gain` is the homeostasis rule: ``g <- g exp(rate (target - lambda_max))``,
clipped to [``G_MIN``, ``G_MAX``], a gain-modulation protocol applied between training
epochs.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["chaos_probe", "adapt_gain", "G_MIN", "G_MAX", "SATURATION"]

#: Bounds of the homeostatic gain.
G_MIN, G_MAX = 0.1, 20.0
#: ``|tanh x|`` above this counts as saturated.
SATURATION = 0.99


def chaos_probe(network, *, seed: int = 0, chains: int = 4, T: float = 50.0, states: int = 32) -> dict:
    """Chaos measures of ``network``'s free dynamics; see the module docstring.

    Parameters
    ----------
    network : GenerativeNetwork (rate card)
    seed : seed of the starts (the lambda_max chains use seed, seed + 1, ...)
    chains : starts averaged for lambda_max
    T : measured time of lambda_max, units of tau (after a transient of T / 2)
    states : random starts run for the network's T for the saturation and Jacobian measures

    Returns
    -------
    dict with ``g``, ``lambda_max`` (1/tau), ``saturated``, ``saturated_visible``,
    ``saturated_hidden`` (fractions) and ``jacobian_radius``; with a chaotic pool also
    ``lambda_layers`` (1/tau, the conditional exponent of the layers driven by the pool, see
    :func:`~neurochaos.learning.sampling.largest_lyapunov`) and ``saturated_pool``

    >>> from neurochaos.learning import build_generative_network
    >>> net = build_generative_network("fu_restricted2", n_visible=20, n_hidden=20, g=3.0)
    >>> p = chaos_probe(net, T=10.0, states=4)
    >>> p["lambda_max"] > 0 and p["jacobian_radius"] > 1
    True
    """
    from .sampling import largest_lyapunov

    lam = largest_lyapunov(network, chains=chains, T=T, T_transient=T / 2, seed=seed)
    x = _free_states(network, states, seed + 7919)
    r = np.tanh(x)
    sat = np.abs(r) > SATURATION
    nv, nl = network.n_visible, network.n_layers
    K = network.coupling()
    radii = [float(np.max(np.abs(np.linalg.eigvals(K * (1.0 - ri**2)[None, :])))) for ri in r[: min(8, len(r))]]
    out = {
        "g": float(network.g),
        "lambda_max": float(lam),
        "saturated": float(sat.mean()),
        "saturated_visible": float(sat[:, :nv].mean()),
        "saturated_hidden": float(sat[:, nv:nl].mean()) if nl > nv else 0.0,
        "jacobian_radius": float(np.mean(radii)),
    }
    if network.n_pool:
        out["lambda_layers"] = float(
            largest_lyapunov(network, chains=chains, T=T, T_transient=T / 2, seed=seed, layers_only=True)
        )
        out["saturated_pool"] = float(sat[:, nl:].mean())
    return out


def _free_states(network, n: int, seed: int) -> np.ndarray:
    """States x(T) of ``n`` free chains from x(0) ~ N(0, 1), shape (n, N)."""
    from ..executors import RunConfig, get_executor

    cfg = RunConfig(
        T=network.T, dt=network.dt, record_every=max(1, round(network.T / network.dt)), method=network.method
    )
    ex = get_executor("torch")
    ex.prepare(network.rate_network(), cfg)
    x0 = np.random.default_rng(seed).normal(size=(n, network.N))
    return ex.run(x0).x_final


def adapt_gain(g: float, lambda_max: float, target: float, rate: float) -> float:
    """One homeostasis step: ``g exp(rate (target - lambda_max))`` within [G_MIN, G_MAX].

    >>> adapt_gain(2.0, 0.05, 0.05, 2.0)
    2.0
    >>> round(adapt_gain(2.0, -0.10, 0.05, 2.0), 4)  # not chaotic enough: the gain rises
    2.6997
    """
    return float(min(G_MAX, max(G_MIN, g * math.exp(rate * (target - lambda_max)))))
