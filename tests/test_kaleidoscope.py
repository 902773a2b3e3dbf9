"""Generative kaleidoscopic networks (Shrivastava 2024) as a baseline: fit, sample, save/load, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.baselines import Kaleidoscope, KaleidoscopeConfig, chain_diversity, train_kaleidoscope
from neurochaos.errors import ConfigError

SMALL = KaleidoscopeConfig(hidden_layers=2, width=128, iterations=600, batch_size=300, lr=1e-3)


@pytest.fixture(scope="module")
def digits():
    from neurochaos.data import load_dataset

    return load_dataset("digits", encoding="pm1", seed=0)


@pytest.fixture(scope="module")
def trained(digits):
    return train_kaleidoscope(digits.x_train, SMALL)


def test_fits_the_identity_and_samples_better_than_noise_on_digits(digits, trained):
    from neurochaos.metrics import accuracy_indices

    assert trained.loss[-1] < 0.2 * trained.loss[0]  # MSE(f(X), X) falls
    assert trained.n_visible == 64 and trained.n_parameters == 64 * 128 + 128 + 128 * 128 + 128 + 128 * 64 + 64
    s, chains = trained.sample(300, steps=30, seed=1, return_chains=True)
    assert s.shape == (300, 64) and chains.shape == (31, 300, 64) and np.abs(s).max() <= 1.0
    x = np.where(s > 0, 1.0, -1.0)
    noise = np.where(np.random.default_rng(2).random((300, 64)) < 0.5, 1.0, -1.0)
    k = accuracy_indices(digits.x_test[:300], x)
    u = accuracy_indices(digits.x_test[:300], noise)
    assert k["Es"] < 0.5 * u["Es"] and k["ER"] < u["ER"], (k, u)
    div = chain_diversity(chains, 0.01)
    assert div["distinct_fraction"] > 0.5 and 0.0 <= div["stuck_fraction"] <= 1.0


def test_noise_forms_differ_and_the_public_form_is_a_positive_drift(trained):
    a = trained.sample(50, steps=5, eps=0.5, noise="uniform", seed=3)
    b = trained.sample(50, steps=5, eps=0.5, noise="public", seed=3)
    assert b.mean() > a.mean() + 0.2  # U(1, 3) pushes every pixel up


def test_save_load_round_trip_gives_identical_samples(tmp_path, trained):
    path = trained.save(tmp_path / "k.npz")
    back = Kaleidoscope.load(path)
    assert back.config == trained.config and back.n_parameters == trained.n_parameters
    np.testing.assert_array_equal(back.sample(20, seed=5), trained.sample(20, seed=5))


def test_bad_input_names_the_parameter(trained):
    with pytest.raises(ConfigError, match=r"`x_train` must be finite"):
        train_kaleidoscope(np.full((4, 3), np.nan), SMALL)
    with pytest.raises(ConfigError, match=r"`x_train` must be a non-empty"):
        train_kaleidoscope(np.zeros((0, 3)), SMALL)
    with pytest.raises(ConfigError, match=r"`x_train` must be in \[-1, 1\]"):
        train_kaleidoscope(np.full((4, 3), 2.0), SMALL)
    with pytest.raises(ConfigError, match=r"`steps` must be an integer >= 1, got 0"):
        trained.sample(3, steps=0)
    with pytest.raises(ConfigError, match=r"`noise` must be one of"):
        trained.sample(3, noise="pink")
    with pytest.raises(ConfigError, match=r"`hidden_layers` must be an integer >= 1"):
        KaleidoscopeConfig(hidden_layers=0)
