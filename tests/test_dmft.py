"""DMFT of the random network and trajectory statistics."""

from __future__ import annotations

import functools
import json
import re

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
from neurochaos.cli import main
from neurochaos.errors import ConfigError, DivergenceError, ModelError
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


# ---- accuracy against independent quadrature (written here, not using the module's rules) ----


def _gauss_pdf(z):
    return np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)


def _var_log_cosh(d0):
    """Var_z[ln cosh(sqrt(d0) z)] by adaptive scipy quad on z >= 0 (the integrands are even)."""
    from scipy.integrate import quad

    a = np.sqrt(d0)
    m1, m2 = (
        2 * quad(lambda z, k=k: log_cosh(a * z) ** k * _gauss_pdf(z), 0, np.inf, epsabs=0, epsrel=1e-13, limit=200)[0]
        for k in (1, 2)
    )
    return m2 - m1 * m1


@functools.lru_cache
def _delta0_reference(g):
    from scipy.optimize import brentq

    return brentq(lambda d: 0.5 * d * d - g * g * _var_log_cosh(d), 0.5 * (1 - g**-2) / 2, 2 * g * g, xtol=1e-15)


def _delta_reference(g, lags):
    """Delta(lags) from Delta'' = Delta - g^2 C with C from a tensor trapezoid rule (step h, |z|, |u| <= 9)."""
    from scipy.integrate import solve_ivp

    d0 = _delta0_reference(g)
    h = min(0.05, 0.3 / np.sqrt(d0))
    z = np.arange(-9.0, 9.0 + h / 2, h)
    w = _gauss_pdf(z) * h

    def C(D):
        D = min(max(D, 0.0), d0)
        return w @ (np.tanh(np.sqrt(d0 - D) * z[None, :] + np.sqrt(D) * z[:, None]) @ w) ** 2

    sol = solve_ivp(
        lambda s, y: [y[1], y[0] - g * g * C(y[0])],
        (0, max(lags)),
        [d0, 0.0],
        rtol=1e-11,
        atol=1e-12,
        t_eval=lags,
        method="DOP853",
    )
    return d0, sol.y[0]


@pytest.mark.parametrize("g", [1.05, 1.2, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0])
def test_delta0_matches_adaptive_quadrature(g):
    # main before the adaptive rule: +3.7e-3 relative at g = 10, +1.2e-2 at g = 20
    assert solve_delta0(g) == pytest.approx(_delta0_reference(g), rel=1e-7)


@pytest.mark.parametrize("g", [1.5, 3.0, 10.0])
def test_delta_matches_an_independent_ode_solution(g):
    lags = np.array([0.5, 1.0, 2.0, 4.0])
    d0, ref = _delta_reference(g, lags)
    sol = solve_dmft(g, s_max=4.0, n_s=9)
    assert sol.delta0 == pytest.approx(d0, rel=1e-7)
    np.testing.assert_allclose(sol.delta[[1, 2, 4, 8]], ref, rtol=0, atol=1e-5 * d0)


@pytest.mark.parametrize("order", [400, 1000])
def test_high_gauss_hermite_orders_stay_finite_and_right(order):
    # hermegauss weights overflow to nan from ~370 nodes; main printed Delta0 = 0 at g = 2, order 400
    assert solve_delta0(2.0, order=order) == pytest.approx(_delta0_reference(2.0), rel=1e-10)
    if order == 400:
        sol = solve_dmft(2.0, order=order, s_max=1.0, n_s=3)
        assert sol.delta0 == pytest.approx(_delta0_reference(2.0), rel=1e-10) and np.all(np.isfinite(sol.delta))
        assert sol.settings["rule"] == "gauss-hermite" and sol.settings["order"] == 400


def test_settings_record_the_adaptive_orders():
    st = solve_dmft(10.0, s_max=1.0, n_s=3).settings
    assert st["rule"] == "split-legendre" and st["tol"] == 1e-8
    assert 8 < st["order_delta0"] <= 1024 and 8 < st["order"] <= 1024
    assert solve_dmft(10.0, s_max=1.0, n_s=3, tol=1e-12).settings["order"] >= st["order"]


def test_unreachable_tolerance_and_non_finite_values_raise():
    with pytest.raises(ConfigError, match=r"`tol` must be reachable for Delta0 with max_order = 16 .*got 1e-12"):
        solve_delta0(20.0, tol=1e-12, max_order=16)
    with pytest.raises(ConfigError, match=r"`tol` must be in \(0.0, 0.1\]"):
        solve_dmft(2.0, tol=0.0)

    def Phi(u):  # ln cosh that returns nan far out (the probe near 0..3 passes)
        return np.where(np.abs(u) > 30, np.nan, log_cosh(u))

    with pytest.raises(DivergenceError, match=r"`Phi` must be finite"):
        solve_dmft(2.0, Phi=Phi)


def test_non_finite_quadrature_weights_raise(monkeypatch):
    import scipy.special

    from neurochaos.analysis import dmft

    monkeypatch.setattr(scipy.special, "roots_hermitenorm", lambda n: (np.zeros(n), np.full(n, np.nan)))
    dmft._gauss_hermite.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"`order` must be small enough that the gauss-hermite nodes"):
            solve_delta0(2.0, order=33)
    finally:
        dmft._gauss_hermite.cache_clear()


# ---- CLI (written like tests/test_chaos_cli.py) ----


def test_cli_dmft_high_order_prints_the_right_delta0(capsys):
    assert main(["dmft", "--g", "2", "--order", "400"]) == 0
    out = capsys.readouterr().out
    assert "x = 0 is stable" not in out and "gauss-hermite order 400" in out
    value = float(re.search(r"delta0 = ([0-9.]+)", out).group(1))
    assert value == pytest.approx(_delta0_reference(2.0), abs=1e-6)


def test_cli_autocorr_shows_dmft_next_to_the_simulation(capsys):
    argv = ["autocorr", "--N", "60", "--g", "2", "--T", "6", "--transient", "1", "--max-lag", "2", "--no-progress"]
    assert main([argv[0], "chaotic_rate", *argv[1:]]) == 0
    out = capsys.readouterr().out
    ref = solve_dmft(2.0, s_max=2.0, n_s=3)
    assert re.search(rf"delta0 = [0-9.]+   DMFT {ref.delta0:.6f}", out)
    assert re.search(rf"delta\(1\) = [0-9.]+   DMFT {ref.delta[1]:.6f}", out)
    assert main([argv[0], "chaotic_rate", *argv[1:], "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["dmft"]["applicable"] and d["dmft"]["delta0"] == pytest.approx(ref.delta0)
    assert len(d["dmft"]["delta"]) == len(d["s"])
    assert main([argv[0], "hopfield_rate", *argv[1:]]) == 0
    assert "DMFT not shown: `model` must be a random rate network" in capsys.readouterr().out
    assert main([argv[0], "hopfield_rate", *argv[1:], "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["dmft"]["applicable"] is False and "pathway recipes" in d["dmft"]["reason"]
