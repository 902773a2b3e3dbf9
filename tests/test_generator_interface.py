"""One generator interface over the chaotic network, the RBM and kaleidoscopic networks."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.errors import ConfigError
from neurochaos.generators.interface import GENERATORS, build_generator, load_generator

TINY = {
    "chaotic": {"model": {"card": "fu_restricted2", "n_hidden": 8, "T": 1.0}, "training": {"M": 10, "steps": 5}},
    "rbm": {"n_hidden": 8, "steps": 30, "sweeps": 20, "chains": 20, "batch_size": 20},
    "kaleidoscope": {"hidden_layers": 1, "width": 32, "iterations": 50, "batch_size": 50, "lr": 1e-3, "steps": 5},
    "agm": {"width": 32, "blocks": 1, "iterations": 30, "batch_size": 50, "evaluations": 4},
    "reservoir_gan": {"N": 40, "k": 6, "bank_size": 100, "bank_chains": 10, "transient": 2.0, "epochs": 1, "width": 4},
}


@pytest.fixture(scope="module")
def digits():
    from neurochaos.data import load_dataset

    return load_dataset("digits", encoding="pm1", n_train=200, seed=0)


def test_every_registered_generator_has_a_tiny_setting():
    assert set(TINY) == set(GENERATORS)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_fit_sample_save_load_and_cost(name, digits, tmp_path):
    g = build_generator(name, **TINY[name]).fit(digits.x_train)
    s = g.sample(12, seed=4)
    assert s.shape == (12, 64) and np.abs(s).max() <= 1.0 and np.all(np.isfinite(s))
    assert not np.array_equal(s, g.sample(12, seed=5))  # the seed matters
    c = g.cost
    assert c.evaluations_per_sample > 0 and c.parameters > 0 and c.fit_seconds > 0 and c.sample_seconds_per_sample > 0
    back = load_generator(g.save(tmp_path / name))
    np.testing.assert_array_equal(back.sample(12, seed=4), s)
    assert back.cost.parameters == c.parameters and back.cost.evaluations_per_sample == c.evaluations_per_sample


def test_bad_input_names_the_parameter(digits, tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"`generator` must be one of \['agm', 'chaotic', 'kaleidoscope', 'rbm', 'reservoir_gan'\], got 'vae'",
    ):
        build_generator("vae")
    with pytest.raises(ConfigError, match=r"`rbm settings` must be keyword settings"):
        build_generator("rbm", colour=1)
    g = build_generator("kaleidoscope", **TINY["kaleidoscope"])
    with pytest.raises(ConfigError, match=r"`generator` must be fitted \(or loaded\) before sampling"):
        g.sample(3)
    with pytest.raises(ConfigError, match=r"`x_train` must be finite"):
        g.fit(np.full((3, 4), np.nan))
    with pytest.raises(ConfigError, match=r"`x_train` must be a non-empty"):
        g.fit(np.zeros((0, 4)))
    with pytest.raises(ConfigError, match=r"`x_train` must be in \[-1, 1\]"):
        g.fit(np.full((3, 4), 3.0))
    g.fit(digits.x_train)
    with pytest.raises(ConfigError, match=r"`n` must be an integer >= 1, got 0"):
        g.sample(0)
    with pytest.raises(ConfigError, match=r"`hidden_layers` must be an integer >= 1"):
        build_generator("kaleidoscope", hidden_layers=0)
    with pytest.raises(ConfigError, match=r"`x_train` must be square images"):
        build_generator("reservoir_gan", **TINY["reservoir_gan"]).fit(np.zeros((4, 6)))
    with pytest.raises(ConfigError, match=r"`evaluations` must be an integer >= 1, got 0"):
        build_generator("agm", evaluations=0)
    with pytest.raises(ConfigError, match=r"`folder` must be a folder written by Generator.save"):
        load_generator(tmp_path)


def test_rows_differing_only_in_sampling_settings_share_one_fit(digits, tmp_path):
    from neurochaos.generators.retraining import fit_or_load

    a, fitted_a = fit_or_load(tmp_path, "agm", TINY["agm"], digits.x_train)
    b, fitted_b = fit_or_load(tmp_path, "agm", {**TINY["agm"], "evaluations": 7}, digits.x_train)
    assert fitted_a and not fitted_b and len(list(tmp_path.iterdir())) == 1
    assert b.cost.evaluations_per_sample == 7 and b.settings["evaluations"] == 7
    _, fitted_c = fit_or_load(tmp_path, "agm", {**TINY["agm"], "width": 16}, digits.x_train)
    assert fitted_c and len(list(tmp_path.iterdir())) == 2  # a fit setting: a new fit
    with pytest.raises(ConfigError, match=r"`agm sampling settings` must be among"):
        b.with_sampling(width=3)
    with pytest.raises(ConfigError, match=r"`evaluations` must be an integer >= 1"):
        b.with_sampling(evaluations=0)


@pytest.mark.parametrize("name", sorted(k for k, c in GENERATORS.items() if c.warm_start))
def test_a_warm_start_begins_at_the_init_parameters(name, digits):
    base = build_generator(name, **TINY[name]).fit(digits.x_train)
    tiny_more = {**TINY[name], "training": {**TINY[name]["training"], "steps": 1}} if name == "chaotic" else {
        **TINY[name], "iterations": 1, "lr": 1e-9, "warmup": 0}  # fmt: skip
    warm = build_generator(name, **tiny_more).fit(digits.x_train, init=base)
    cold = build_generator(name, **tiny_more).fit(digits.x_train)
    if name == "chaotic":
        p_base, p_warm, p_cold = base.network.A, warm.network.A, cold.network.A
    else:
        p_base, p_warm, p_cold = (g.model.state["out.1.weight"] for g in (base, warm, cold))
    # one tiny step from the init stays near it; a fresh fit of one step does not
    assert np.abs(p_warm - p_base).max() < 0.5 * np.abs(p_cold - p_base).max()


def test_warm_start_refused_for_kinds_that_refit(digits):
    rbm = build_generator("rbm", **TINY["rbm"]).fit(digits.x_train)
    with pytest.raises(ConfigError, match=r"`init` must be None: the 'rbm' generator fits from scratch only"):
        build_generator("rbm", **TINY["rbm"]).fit(digits.x_train, init=rbm)
    with pytest.raises(ConfigError, match=r"`init` must be a fitted 'agm' generator with 64 pixels"):
        build_generator("agm", **TINY["agm"]).fit(digits.x_train, init=rbm)
