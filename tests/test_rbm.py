"""The +-1 RBM baseline: exact small cases (free energy, Gibbs sampling, learning) and the digits improvement."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from neurochaos.baselines import RBM, train_rbm
from neurochaos.errors import ConfigError, DataError


def all_states(n):
    return np.array(list(itertools.product([-1.0, 1.0], repeat=n)))


def exact_distribution(rbm: RBM) -> np.ndarray:
    """P(v) over all_states(N_v), by summing exp(-E(v, h)) over every h (no free-energy formula)."""
    V, H = all_states(rbm.n_visible), all_states(rbm.n_hidden)
    energy = -(np.einsum("vi,ia,ha->vh", V, rbm.W, H) + (V @ rbm.visible_bias)[:, None] + H @ rbm.hidden_bias)
    weights = np.exp(-energy).sum(1)
    return weights / weights.sum()


def frequencies(samples: np.ndarray) -> np.ndarray:
    states = all_states(samples.shape[1])
    index = {s.tobytes(): i for i, s in enumerate(states)}
    counts = np.bincount([index[s.tobytes()] for s in samples], minlength=len(states))
    return counts / len(samples)


@pytest.fixture
def tiny_rbm():
    rng = np.random.default_rng(0)
    return RBM(rng.normal(0, 0.6, (3, 2)), rng.normal(0, 0.5, 3), rng.normal(0, 0.5, 2))


def test_free_energy_matches_the_sum_over_hidden_states(tiny_rbm):
    V, H = all_states(3), all_states(2)
    direct = -np.log(
        np.exp(np.einsum("vi,ia,ha->vh", V, tiny_rbm.W, H) + (V @ tiny_rbm.visible_bias)[:, None] + H @ tiny_rbm.hidden_bias).sum(1)
    )  # fmt: skip
    np.testing.assert_allclose(tiny_rbm.free_energy(V), direct, rtol=1e-12)


def test_gibbs_samples_follow_the_exact_distribution(tiny_rbm):
    samples = tiny_rbm.sample(20000, sweeps=30, seed=1, dtype="float64")
    assert set(np.unique(samples)) == {-1.0, 1.0}
    np.testing.assert_allclose(frequencies(samples), exact_distribution(tiny_rbm), atol=0.015)


def test_pcd_learns_the_distribution_of_a_teacher_rbm():
    rng = np.random.default_rng(0)
    teacher = RBM(rng.normal(0, 0.8, (4, 3)), rng.normal(0, 0.5, 4), rng.normal(0, 0.5, 3))
    data = teacher.sample(2000, sweeps=50, seed=1)
    empirical = frequencies(data)
    tv = lambda r: 0.5 * np.abs(exact_distribution(r) - empirical).sum()  # noqa: E731
    untrained = train_rbm(data, 4, steps=0, progress=False)  # independent units with the data's means
    rbm = train_rbm(data, 4, lr=0.05, steps=1500, chains=200, batch_size=100, progress=False, seed=3)
    assert tv(rbm) < 0.1 < 0.2 < tv(untrained)


def test_training_is_deterministic_and_calls_back(tiny_rbm):
    data = tiny_rbm.sample(300, sweeps=20, seed=4)
    seen = []
    a = train_rbm(data, 5, steps=25, chains=50, batch_size=64, progress=False, seed=5,
                  callback=lambda step, rbm: seen.append((step, rbm.steps)), callback_every=10)  # fmt: skip
    b = train_rbm(data, 5, steps=25, chains=50, batch_size=64, progress=False, seed=5)
    c = train_rbm(data, 5, steps=25, chains=50, batch_size=64, progress=False, seed=6)
    np.testing.assert_array_equal(a.W, b.W)
    assert not np.array_equal(a.W, c.W)
    assert seen == [(10, 10), (20, 20), (25, 25)] and a.steps == 25
    assert train_rbm(data, 5, epochs=2, batch_size=64, chains=10, progress=False).steps == 10  # 2 x ceil(300 / 64)


def test_save_and_load_round_trip(tmp_path, tiny_rbm):
    tiny_rbm.save(tmp_path / "rbm.npz")
    back = RBM.load(tmp_path / "rbm.npz")
    np.testing.assert_array_equal(back.W, tiny_rbm.W)
    np.testing.assert_array_equal(back.hidden_bias, tiny_rbm.hidden_bias)


def test_bad_inputs_are_rejected():
    x = np.where(np.random.default_rng(0).random((20, 4)) > 0.5, 1.0, -1.0)
    with pytest.raises(DataError, match=r"`x_train` must hold \+-1 entries only \(load with encoding='pm1'\)"):
        train_rbm(0.5 * x, 3, progress=False)
    with pytest.raises(DataError, match=r"`x_train` must be a non-empty 2-D array"):
        train_rbm(x[:0], 3, progress=False)
    with pytest.raises(ConfigError, match="`batch_size` must be <= the 20 training points, got 500"):
        train_rbm(x, 3, progress=False)
    with pytest.raises(ConfigError, match="`lr` must be in"):
        train_rbm(x, 3, lr=-0.1, batch_size=10, progress=False)
    with pytest.raises(ConfigError, match=r"`visible_bias` must be of shape \(4,\)"):
        RBM(np.zeros((4, 2)), np.zeros(3), np.zeros(2))


@pytest.mark.slow
def test_pcd_improves_the_indices_on_the_8x8_digits():
    pytest.importorskip("sklearn")
    from neurochaos.data import load_dataset
    from neurochaos.metrics import accuracy_indices

    ds = load_dataset("digits")
    scores = {}
    for steps in (0, 1000):
        rbm = train_rbm(ds.x_train, 64, steps=steps, batch_size=100, progress=False, seed=0)
        scores[steps] = accuracy_indices(ds.x_test, rbm.sample(500, sweeps=100, seed=1))
    assert scores[1000]["E2"] < 0.5 * scores[0]["E2"]
    assert scores[1000]["EAAI"] < 0.5 * scores[0]["EAAI"]
