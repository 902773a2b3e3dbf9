"""Model cards, connectivity recipes, gain schedules and networks (no executor)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from neurochaos.errors import ConfigError, ModelError
from neurochaos.model import (
    ConstantGain,
    PiecewiseLinearGain,
    SineGain,
    SquareGain,
    build_network,
    gaussian_coupling,
    hopfield_coupling,
    initial_state,
    list_cards,
    load_card,
    random_patterns,
    spectral_radius,
)

CARDS = ["chaotic_rate", "hopfield_rate", "mixed_rate"]
PKG = Path(__file__).resolve().parents[1] / "neurochaos"


def test_foundation_cards_are_listed_and_load():
    assert set(CARDS) <= set(list_cards())
    for name in CARDS:
        card = load_card(name)
        assert card.name == name and card.state == "x" and card.rate == "r"
        assert card.uses_gain
        assert "tau_ms" in card.parameters


def test_model_declarations_import_no_executor():
    """The model package (what a model is) never imports an executor, torch or a Brian2 device."""
    for path in (PKG / "model").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            for n in names:
                assert "executors" not in n and not n.startswith("torch") and "devices" not in n, (path.name, n)


def test_unknown_model_name_lists_the_valid_ones():
    with pytest.raises(ModelError, match=r"`model` must be one of .*chaotic_rate.*got 'nope'"):
        load_card("nope")


def _write_card(tmp_path, text):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    return p


GOOD = (Path(__file__).resolve().parents[1] / "models" / "chaotic_rate.toml").read_text()


def test_malformed_equation_string_is_a_model_error(tmp_path):
    bad = GOOD.replace("dx/dt = (-x + g*I_rand + b) / tau : 1", "dx/dt = (-x + g*I_rand + b / tau : 1")
    with pytest.raises(ModelError, match=r"`equations.neuron` is not a valid Brian2 equation string"):
        load_card(_write_card(tmp_path, bad))


def test_unknown_card_key_is_named(tmp_path):
    with pytest.raises(ModelError, match=r"unknown key\(s\) \['colour'\]"):
        load_card(_write_card(tmp_path, 'colour = "red"\n' + GOOD))


def test_uppercase_pathway_name_is_rejected(tmp_path):
    """brian2cuda ignores run_args of objects with capitals in their names: cards may not have them."""
    with pytest.raises(ModelError, match=r"`pathways.name` must be a lower-case identifier, got 'Rand'"):
        load_card(_write_card(tmp_path, GOOD.replace('name = "rand"', 'name = "Rand"')))


def test_gaussian_coupling_is_seeded_with_zero_diagonal():
    a = gaussian_coupling(50, np.random.default_rng(3))
    b = gaussian_coupling(50, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert np.all(np.diag(a) == 0)
    assert not np.allclose(a, a.T)  # asymmetric


@pytest.mark.parametrize("g", [1.0, 2.5])
def test_random_part_has_spectral_radius_close_to_g(g):
    net = build_network("chaotic_rate", N=1000, g=g, seed=0)
    rho = spectral_radius(net.effective_coupling())
    assert abs(rho - g) / g < 0.05


def test_hopfield_coupling_is_symmetric_low_rank_with_zero_diagonal():
    xi = random_patterns(5, 100, np.random.default_rng(0))
    W = hopfield_coupling(xi)
    np.testing.assert_allclose(W, W.T)
    assert np.all(np.diag(W) == 0)
    # rank P plus the diagonal correction (-P/N I): W + (P/N) I has rank P
    assert np.linalg.matrix_rank(W + 5 / 100 * np.eye(100)) == 5
    # each pattern is (nearly) a fixed direction: W xi = xi (1 - P/N) + crosstalk
    overlap = xi @ W @ xi.T / 100
    assert np.all(np.diag(overlap) > 0.9)


def test_mixed_network_scales_only_the_random_part():
    net = build_network("mixed_rate", N=200, g=3.0, seed=1)
    total = net.effective_coupling()
    np.testing.assert_allclose(total, net.weights["struct"] + 3.0 * net.weights["rand"])
    np.testing.assert_allclose(net.effective_coupling(0.0), net.weights["struct"])


def test_build_network_is_reproducible_and_seed_dependent():
    a = build_network("mixed_rate", N=60, seed=5)
    b = build_network("mixed_rate", N=60, seed=5)
    c = build_network("mixed_rate", N=60, seed=6)
    np.testing.assert_array_equal(a.weights["rand"], b.weights["rand"])
    np.testing.assert_array_equal(a.patterns, b.patterns)
    assert not np.array_equal(a.weights["rand"], c.weights["rand"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"N": 0}, r"`N` must be an integer >= 1, got 0"),
        ({"N": -5}, r"`N` must be an integer >= 1, got -5"),
        ({"g": -1.5}, r"`g` must be in \[0.0, inf\), got -1.5"),
        ({"g": float("nan")}, r"`g` must be finite, got nan"),
        ({"N": 10, "P": 10}, r"`P` must be < N = 10"),
    ],
)
def test_bad_network_parameters_name_the_parameter(kwargs, match):
    model = "hopfield_rate" if "P" in kwargs else "chaotic_rate"
    with pytest.raises(ConfigError, match=match):
        build_network(model, **kwargs)


def test_patterns_of_wrong_length_are_rejected():
    with pytest.raises(ConfigError, match=r"`patterns` must be of shape \(any, 50\)"):
        build_network("hopfield_rate", N=50, patterns=np.ones((3, 40)))


def test_nan_weights_are_rejected():
    net = build_network("chaotic_rate", N=10, seed=0)
    W = net.weights["rand"].copy()
    W[2, 3] = np.nan
    with pytest.raises(ConfigError, match=r"`weights\['rand'\]` must be finite \(no NaN or inf\)"):
        net.with_weights(rand=W)


def test_initial_state_shape_and_seed():
    net = build_network("chaotic_rate", N=30, seed=0)
    x = initial_state(net, 4, seed=2)
    assert x.shape == (4, 30)
    np.testing.assert_array_equal(x, initial_state(net, 4, seed=2))


def test_gain_schedules_sample_on_the_step_grid():
    np.testing.assert_array_equal(ConstantGain(2.0).sample(3, 0.1), [2.0, 2.0, 2.0])
    sq = SquareGain(low=1, high=8, period=1.0, duty=0.5).sample(10, 0.1)
    np.testing.assert_array_equal(sq, [8] * 5 + [1] * 5)
    np.testing.assert_allclose(SineGain(mean=2, amplitude=1, period=4).sample(5, 1.0), [2, 3, 2, 1, 2], atol=1e-12)
    np.testing.assert_allclose(PiecewiseLinearGain([0, 2], [0, 4]).sample(3, 1.0), [0, 2, 4])


def test_schedule_shorter_than_the_run_is_an_error():
    with pytest.raises(ConfigError, match=r"`gain schedule duration` must be >= the run length 3 tau, got 2.0"):
        PiecewiseLinearGain([0, 2], [1, 1]).sample(31, 0.1)


def test_negative_gain_schedule_is_an_error():
    with pytest.raises(ConfigError, match=r"`g_low` must be in \[0.0, inf\), got -1"):
        SquareGain(low=-1, high=2, period=1)
    with pytest.raises(ConfigError, match=r"`values` must be all >= 0"):
        PiecewiseLinearGain([0, 1], [1, -1])


def test_schedules_say_whether_they_are_constant():
    from neurochaos.model import ConstantGain, PiecewiseLinearGain, SineGain, SquareGain
    from neurochaos.model.schedule import constant_value

    cases = [
        (ConstantGain(2.0), 2.0),
        (SquareGain(low=1, high=8, period=2.0), None),
        (SquareGain(low=3, high=3, period=2.0), 3.0),
        (SquareGain(low=1, high=8, period=2.0, duty=1.0), 8.0),
        (SineGain(mean=2, amplitude=0, period=1), 2.0),
        (SineGain(mean=2, amplitude=1, period=1), None),
        (PiecewiseLinearGain((0, 1), (4, 4)), 4.0),
        (PiecewiseLinearGain((0, 1), (4, 5)), None),
    ]
    for sched, want in cases:
        assert sched.constant_value == want and sched.is_constant == (want is not None), sched
        if want is not None:  # the sampled answer agrees
            assert constant_value(sched.sample(20, 0.05)) == want
    # a square wave is constant within a run shorter than its high phase
    assert constant_value(SquareGain(low=1, high=8, period=10.0).sample(10, 0.1)) == 8.0
