"""DMFT of the random network and trajectory statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erf

from neurochaos.analysis import (
    check_dmft_model,
    estimate_autocorrelation,
    measure_autocorrelation,
    participation_ratio,
    solve_dmft,
)
from neurochaos.analysis.dmft import log_cosh, solve_delta0
from neurochaos.errors import ConfigError, ModelError
from neurochaos.model import build_network


@pytest.mark.parametrize("g", [0.0, 0.5, 0.9, 1.0])
def test_delta0_vanishes_below_the_transition(g):
    sol = solve_dmft(g, n_s=11)
    assert sol.delta0 == 0.0 and np.all(sol.delta == 0.0)


@pytest.mark.parametrize("g", [1.1, 1.5, 2.0, 3.0])
def test_delta0_is_positive_and_delta_decays_to_zero_above_the_transition(g):
    sol = solve_dmft(g, s_max=150.0, n_s=301)
    assert sol.delta0 > 0 and sol.delta[0] == pytest.approx(sol.delta0)
    assert np.all(np.diff(sol.delta) < 0)
    assert sol.delta[-1] < 0.02 * sol.delta0


def test_delta0_grows_with_g_and_matches_the_small_delta_expansion_near_onset():
    d = [solve_delta0(g) for g in (1.2, 1.5, 2.0, 3.0)]
    assert np.all(np.diff(d) > 0)
    # ln cosh series: Var = D^2/2 - D^3 + 8/3 D^4 + ..., so the condition divided by D^2 reads
    # (1 - g^2)/2 + g^2 D - 8/3 g^2 D^2 = 0  =>  D0 = d1 + 8/3 d1^2 + O(d1^3), d1 = (g^2 - 1) / (2 g^2)
    for g in (1.01, 1.02):
        d1 = (g**2 - 1) / (2 * g**2)
        assert solve_delta0(g) == pytest.approx(d1 + 8 / 3 * d1**2, rel=5e-3)


def test_delta_curvature_at_zero_lag_follows_the_equation_of_motion():
    g = 2.0
    sol = solve_dmft(g, s_max=0.2, n_s=201)
    z, w = np.polynomial.hermite_e.hermegauss(101)
    expected = sol.delta0 - g**2 * (w / w.sum()) @ np.tanh(np.sqrt(sol.delta0) * z) ** 2
    ds = sol.s[1]
    second = (sol.delta[2] - 2 * sol.delta[1] + sol.delta[0]) / ds**2
    assert second == pytest.approx(2 * (sol.delta[1] - sol.delta[0]) / ds**2, rel=1e-2)
    assert second == pytest.approx(expected, rel=1e-2)


def test_generic_phi_with_its_antiderivative():
    a = np.sqrt(np.pi) / 2  # phi'(0) = 1

    def phi(u):
        return erf(a * u)

    def Phi(u):
        return u * erf(a * u) + (np.exp(-((a * u) ** 2)) - 1) / (a * np.sqrt(np.pi))

    assert solve_dmft(0.8, phi=phi, Phi=Phi, n_s=5).delta0 == 0.0
    sol = solve_dmft(2.0, phi=phi, Phi=Phi, n_s=51, s_max=10.0)
    assert sol.delta0 > 0 and np.all(np.diff(sol.delta) < 0)
    tanh_generic = solve_dmft(2.0, phi=lambda u: np.tanh(u), Phi=log_cosh, n_s=51, s_max=10.0)
    np.testing.assert_allclose(tanh_generic.delta, solve_dmft(2.0, n_s=51, s_max=10.0).delta, rtol=1e-10)


def test_simulated_delta0_is_close_to_dmft():
    ac = measure_autocorrelation(N=1000, g=3.0, T=100.0, transient=20.0, max_lag=5.0, seed=0)
    assert ac.delta0 == pytest.approx(solve_dmft(3.0).delta0, rel=0.1)
    assert ac.participation_ratio > 2


@pytest.mark.parametrize(
    "call, err, match",
    [
        (lambda: solve_dmft(-1.0), ConfigError, r"`g` must be in \[0.0, inf\), got -1.0"),
        (lambda: solve_dmft(2.0, phi=np.sin), ConfigError, "`Phi` must be the antiderivative"),
        (lambda: solve_dmft(2.0, phi=np.exp, Phi=np.exp), ConfigError, "`phi` must be odd"),
        (lambda: solve_dmft(2.0, phi=np.sin, Phi=np.cos), ConfigError, "`Phi` must be the antiderivative of phi"),
        (lambda: solve_dmft(2.0, s_max=0.0), ConfigError, "`s_max` must be"),
        (lambda: solve_dmft(2.0, model="hopfield_rate"), ModelError, "must be a random rate network"),
        (lambda: solve_dmft(2.0, model="mixed_rate"), ModelError, "pathway recipes"),
    ],
)
def test_bad_dmft_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_dmft_model_check_accepts_a_random_network():
    check_dmft_model(build_network("chaotic_rate", N=5, g=2.0, seed=0))


def test_fft_autocorrelation_equals_the_direct_sum():
    x = np.random.default_rng(0).normal(size=(300, 2, 7)).cumsum(axis=0) * 0.1
    ac = estimate_autocorrelation(x, 0.5, transient=10.0, max_lag=5.0)
    y = x[20:].reshape(280, -1)
    direct = [np.mean(y[: 280 - l] * y[l:]) for l in range(11)]
    np.testing.assert_allclose(ac.delta, direct, rtol=1e-10)
    assert ac.s[-1] == pytest.approx(5.0) and ac.delta0 == pytest.approx(direct[0])


def test_participation_ratio_counts_active_dimensions():
    rng = np.random.default_rng(1)
    assert participation_ratio(rng.normal(size=(5000, 10))) == pytest.approx(10, rel=0.05)
    low = rng.normal(size=(4000, 2)) @ rng.normal(size=(2, 50))
    assert 1.0 <= participation_ratio(low) <= 2.0 + 1e-9
    with pytest.raises(ConfigError, match="`r` must be"):
        participation_ratio(np.zeros(5))
    with pytest.raises(ConfigError, match="`transient` must be"):
        estimate_autocorrelation(np.zeros((10, 3)), 0.1, transient=5.0)
