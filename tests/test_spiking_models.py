"""Spiking cards, sparse connectivity, SpikingNetwork and the spike-train diagnostics (no simulation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neurochaos.analysis.spikes import (
    activity,
    cv_isi,
    fano_factor,
    filtered_rates,
    firing_rates,
    pattern_overlaps,
    population_rate_autocorrelation,
    spike_divergence,
)
from neurochaos.errors import ConfigError, ModelError
from neurochaos.model import build_network, build_spiking_network, initial_potentials, load_card
from neurochaos.model.connectivity import dense_to_sparse, sparse_ei_connectivity

SPIKING = ["chaotic_lif", "hopfield_lif", "mixed_lif"]
MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.mark.parametrize("name", SPIKING)
def test_spiking_cards_declare_threshold_reset_refractory_and_units(name):
    card = load_card(name)
    assert card.kind == "spiking" and card.state == "v"
    assert card.threshold == "v > theta" and card.reset == "v = V_r" and card.refractory == "t_ref"
    assert "volt" in card.neuron and card.uses_gain
    assert all(p.on_pre.startswith(f"{p.target}_post +=") for p in card.pathways)
    assert "Ostojic 2014" in card.source and "Kadmon & Sompolinsky 2015" in card.source


def test_rate_cards_still_load_with_their_rate_fields():
    card = load_card("chaotic_rate")
    assert card.kind == "rate" and card.rate == "r" and card.threshold == ""


def _variant(tmp_path, old, new, name="chaotic_lif"):
    text = (MODELS / f"{name}.toml").read_text()
    assert old in text
    p = tmp_path / "bad.toml"
    p.write_text(text.replace(old, new))
    return p


@pytest.mark.parametrize(
    "old, new, match",
    [
        ('threshold = "v > theta"\n', "", r"`equations` must have exactly the keys \['neuron', 'refractory'"),
        ("tau_s_ms = 5.0", "tau_s_ms = -5.0", r"`parameters.tau_s_ms` must be a time constant > 0 ms, got -5.0"),
        ('recipe = "sparse_ei"', 'recipe = "gaussian"', r"`pathways.recipe` must be one of \('sparse_ei'"),
        ('on_pre = "I_rand_post += w * tau / tau_s"', 'on_pre = "v_post += w"', r"must update `I_rand_post`"),
        (": volt (unless refractory)", ": 1 (unless refractory)", r"must be a membrane potential in volt"),
    ],
)
def test_bad_spiking_cards_are_model_errors(tmp_path, old, new, match):
    with pytest.raises(ModelError, match=match):
        load_card(_variant(tmp_path, old, new))


def test_on_pre_in_a_rate_card_is_rejected(tmp_path):
    p = _variant(tmp_path, 'recipe = "gaussian"', 'recipe = "gaussian"\non_pre = "x += 1"', "chaotic_rate")
    with pytest.raises(ModelError, match=r"unknown key\(s\) \['on_pre'\] in a pathway"):
        load_card(p)


def test_sparse_ei_connectivity_has_probability_p_signs_and_no_autapses():
    pre, post, w = sparse_ei_connectivity(500, 400, 0.2, np.random.default_rng(0), J=0.5, g_I=5.0)
    assert abs(len(pre) / (500 * 499) - 0.2) < 0.01
    assert not np.any(pre == post)
    assert np.all(w[pre < 400] == 0.5) and np.all(w[pre >= 400] == -2.5)
    assert np.all(np.diff(pre) >= 0)


def test_spiking_network_recipes_and_dense_weights():
    net = build_spiking_network("mixed_lif", N=100, P=2, seed=3)
    W = net.dense_weights("struct")
    xi = net.patterns
    want = net.params["J_s_mV"] * (xi.T @ xi) / 100
    np.fill_diagonal(want, 0.0)
    np.testing.assert_allclose(W, want)
    R = net.dense_weights("rand")
    assert set(np.unique(R[:, :80])) <= {0.0, 0.6} and set(np.unique(R[:, 80:])) <= {0.0, -3.0}
    np.testing.assert_allclose(net.effective_coupling(2.0), W + 2.0 * R)
    np.testing.assert_allclose(build_spiking_network("mixed_lif", N=100, P=2, seed=3).dense_weights("rand"), R)


def test_spiking_network_rejects_bad_input():
    with pytest.raises(ConfigError, match=r"`params` must be keys among .*got 'J'"):
        build_spiking_network("chaotic_lif", N=50, params={"J": 1.0})
    with pytest.raises(ConfigError, match=r"`model` must be a spiking card"):
        build_spiking_network("chaotic_rate", N=50)
    with pytest.raises(ConfigError, match=r"`tau_s_ms` must be in \(0.0, inf\)"):
        build_spiking_network("chaotic_lif", N=50, params={"tau_s_ms": 0.0})
    net = build_spiking_network("chaotic_lif", N=50, seed=0)
    with pytest.raises(ConfigError, match=r"`weights\['rand'\]` must be of shape"):
        net.with_weights(rand=np.zeros(3))
    assert build_network("chaotic_rate", N=10).card.kind == "rate"


def test_initial_potentials_lie_between_reset_and_threshold():
    net = build_spiking_network("chaotic_lif", N=50, seed=0)
    v0 = initial_potentials(net, 3, seed=1)
    assert v0.shape == (3, 50) and v0.min() >= 10.0 and v0.max() < 20.0


def _poisson(N, rate_hz, T_ms, rng):
    i, t = [], []
    for n in range(N):
        k = rng.poisson(rate_hz * T_ms * 1e-3)
        t.append(np.sort(rng.uniform(0, T_ms, k)))
        i.append(np.full(k, n))
    return np.concatenate(i), np.concatenate(t)


def test_poisson_trains_have_cv_and_fano_near_one():
    i, t = _poisson(40, 20.0, 20000.0, np.random.default_rng(0))
    assert abs(firing_rates(i, t, 40, 20000.0).mean() - 20.0) < 1.0
    assert abs(np.nanmean(cv_isi(i, t, 40)) - 1.0) < 0.05
    assert abs(np.nanmean(fano_factor(i, t, 40, 20000.0, window_ms=200.0)) - 1.0) < 0.1
    lags, C = population_rate_autocorrelation(t, 40, 20000.0, bin_ms=1.0, max_lag_ms=20.0)
    assert C[0] == pytest.approx(1.0) and np.abs(C[1:]).max() < 0.05


def test_filtered_rates_integrate_to_the_spike_count():
    t, r = filtered_rates([0, 0, 1], [1.0, 2.0, 3.0], 2, t_stop_ms=500.0, tau_f_ms=20.0, dt_ms=0.1)
    np.testing.assert_allclose(r.sum(axis=0) * 0.1e-3, [2.0, 1.0], rtol=5e-3)  # Riemann sum: 1 + dt / (2 tau_f)


def test_overlaps_pick_the_pattern_the_rates_follow():
    rng = np.random.default_rng(1)
    xi = rng.choice([-1.0, 1.0], size=(3, 200))
    rates = np.where(xi[1] > 0, 30.0, 2.0)
    m = pattern_overlaps(rates, xi)
    assert m[1] > 0.5 and np.abs(m[[0, 2]]).max() < 0.15
    assert activity(np.array([0.0, 100.0]), 50.0).tolist() == [-1.0, 1.0]


def test_divergence_is_zero_for_identical_runs_and_large_for_independent_ones():
    rng = np.random.default_rng(2)
    a, b = _poisson(50, 10.0, 2000.0, rng), _poisson(50, 10.0, 2000.0, rng)
    same = spike_divergence(a, a, 50, 2000.0)
    assert same["final_distance"] == 0.0 and same["first_difference_ms"] == float("inf")
    assert spike_divergence(a, b, 50, 2000.0, tau_f_ms=20.0)["final_distance"] > 0.5


def test_dense_to_sparse_keeps_zeros_on_request():
    pre, post, w = dense_to_sparse(np.zeros((3, 3)), keep_zeros=True)
    assert len(pre) == 6 and not np.any(pre == post)


def test_build_network_dispatches_on_the_card_kind():
    from neurochaos.errors import ModelError
    from neurochaos.model import SpikingNetwork, build_network, build_spiking_network

    a = build_network("chaotic_lif", N=50, seed=3, params={"J_mV": 0.2})
    b = build_spiking_network("chaotic_lif", N=50, seed=3, params={"J_mV": 0.2})
    assert isinstance(a, SpikingNetwork) and np.array_equal(a.dense_weights("rand"), b.dense_weights("rand"))
    with pytest.raises(ModelError, match=r"`tau_ms` applies to rate cards"):
        build_network("chaotic_lif", N=50, tau_ms=5.0)
    with pytest.raises(ModelError, match=r"`params` applies to spiking cards"):
        build_network("chaotic_rate", N=10, params={"g": 1.0})


def test_simulate_runs_a_spiking_card_on_brian2_and_names_the_executors_otherwise():
    from neurochaos.errors import ConfigError
    from neurochaos.simulate import simulate

    tr = simulate("chaotic_lif", N=100, T=2.0, executor="brian2-runtime", seed=0, record_every=10)
    assert tr.x.shape == (40, 1, 100) and tr.counts().sum() > 0
    assert tr.meta["executor"] == "brian2-runtime" and tr.meta["model"] == "chaotic_lif"
    with pytest.raises(
        ConfigError, match=r"spiking card, which executor 'torch' does not run; use one of 'brian2-cpp'"
    ):
        simulate("chaotic_lif", N=100, T=2.0, executor="torch")
    auto = simulate("chaotic_lif", N=100, T=2.0, seed=0, record_every=10)  # "auto": Brian2's reference executor
    assert auto.meta["executor"] == "brian2-runtime"
    np.testing.assert_array_equal(auto.counts(), tr.counts())
