"""Phase-space stochastic bridges (acceleration generative model): closed form, training, samplers."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.baselines.agm import (
    SAMPLERS,
    AGMConfig,
    bridge_batch,
    conditional_moments,
    noise_covariance,
    train_agm,
    transition,
)
from neurochaos.errors import ConfigError


def _simulate(cfg, x1, times, n=40_000, dt=5e-4, seed=0):
    """Euler-Maruyama of dx = v dt, dv = a* dt + p (1 - t) dW from the prior; (x, v) at each time."""
    rng = np.random.default_rng(seed)
    L0 = np.linalg.cholesky(cfg.prior_covariance())
    e = rng.standard_normal((2, n))
    x, v = L0[0, 0] * e[0], L0[1, 0] * e[0] + L0[1, 1] * e[1]
    out, t = [], 0.0
    for target in times:
        while t < target - 1e-12:
            a = 1 - t
            acc = 4 * (x1 - x) / a**2 - 4 * v / a
            x, v = x + v * dt, v + acc * dt + cfg.p * a * np.sqrt(dt) * rng.standard_normal(n)
            t += dt
        out.append((x.copy(), v.copy()))
    return out


@pytest.mark.parametrize("cfg", [AGMConfig(), AGMConfig(p=1.0, var_x0=0.5, var_v0=2.0, corr0=0.3)])
def test_closed_form_moments_match_monte_carlo(cfg):
    x1, times = 0.7, (0.3, 0.6, 0.9)
    coef, cov = conditional_moments(np.array(times), cfg)
    for k, (x, v) in enumerate(_simulate(cfg, x1, times)):
        n = len(x)
        mean = np.array([x.mean(), v.mean()])
        sd = np.sqrt(np.diag(cov[k]) / n)
        np.testing.assert_array_less(np.abs(mean - coef[k] * x1), 5 * sd + 2e-3)
        emp = np.cov(x, v)
        # standard error of a (co)variance ~ sqrt((s_ii s_jj + s_ij^2) / n); plus the Euler bias O(dt)
        se = np.sqrt((np.outer(np.diag(cov[k]), np.diag(cov[k])) + cov[k] ** 2) / n)
        np.testing.assert_array_less(np.abs(emp - cov[k]), 5 * se + 3e-3)


def test_the_bridge_ends_at_x1_and_starts_at_the_prior():
    cfg = AGMConfig()
    coef, cov = conditional_moments(np.array([0.0, 1 - 1e-6]), cfg)
    np.testing.assert_allclose(coef[0], [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(cov[0], cfg.prior_covariance(), atol=1e-12)
    np.testing.assert_allclose(coef[1, 0], 1.0, atol=1e-5)  # the mean of x reaches x1
    assert cov[1, 0, 0] < 1e-10  # and its spread vanishes


def test_transitions_compose_chapman_kolmogorov():
    s, u, t = 0.2, 0.55, 0.93
    P1, P2 = transition(u, s), transition(t, u)
    np.testing.assert_allclose(P2 @ P1, transition(t, s), rtol=1e-12, atol=1e-14)
    Q = P2 @ noise_covariance(u, s) @ P2.T + noise_covariance(t, u)
    np.testing.assert_allclose(Q, noise_covariance(t, s), rtol=1e-10, atol=1e-14)


def test_label_is_the_optimal_acceleration_and_gives_x1_back():
    import torch

    cfg = AGMConfig()
    x1 = torch.as_tensor(np.random.default_rng(1).uniform(-1, 1, (6, 5)), dtype=torch.float32)
    t = np.array([0.0, 0.1, 0.4, 0.7, 0.95, 0.999])
    x, v, label = bridge_batch(x1, t, cfg, torch.Generator().manual_seed(0))
    from neurochaos.baselines.agm import _label_scale

    n = torch.as_tensor(_label_scale(t, cfg), dtype=torch.float32)[:, None]
    a = torch.as_tensor(1 - t, dtype=torch.float32)[:, None]
    accel = 4 * (x1 - x).double() / a.double() ** 2 - 4 * v.double() / a.double()
    ok = t <= 0.95  # nearer t = 1 the float32 x_t cancels in x1 - x_t (the label itself is formed without it)
    np.testing.assert_allclose((label * n).double()[ok].numpy(), accel[ok].numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose((x + a * v + a * a * label * n / 4).numpy(), x1.numpy(), atol=1e-4)


@pytest.fixture(scope="module")
def fitted():
    from neurochaos.data import load_dataset

    ds = load_dataset("digits", encoding="pm1", n_train=300, seed=0)
    return ds, train_agm(ds.x_train, AGMConfig(width=64, blocks=1, iterations=150, batch_size=100, warmup=10))


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_every_sampler_draws_images_that_do_not_depend_on_the_batch(fitted, sampler):
    _, m = fitted
    s = m.sample(30, evaluations=4, sampler=sampler, seed=3)
    assert s.shape == (30, 64) and np.all(np.isfinite(s)) and np.abs(s).max() <= 1
    np.testing.assert_allclose(m.sample(30, evaluations=4, sampler=sampler, seed=3, batch_size=7), s, atol=1e-6)
    assert not np.allclose(m.sample(30, evaluations=4, sampler=sampler, seed=4), s)


def test_one_evaluation_is_the_hop_from_the_prior(fitted):
    _, m = fitted
    assert m.sample(5, evaluations=1).shape == (5, 64)


def test_training_lowers_the_loss_and_beats_noise_on_digits():
    from neurochaos.data import load_dataset
    from neurochaos.metrics import accuracy_indices

    ds = load_dataset("digits", encoding="pm1", seed=0)
    m = train_agm(ds.x_train, AGMConfig(width=256, blocks=1, iterations=800, batch_size=128, warmup=20, lr=2e-3))
    assert np.mean(m.loss[-10:]) < 0.9 * np.mean(m.loss[:3])
    s = np.where(m.sample(400, evaluations=10) > 0, 1.0, -1.0)
    noise = np.where(np.random.default_rng(0).random((400, 64)) > 0.5, 1.0, -1.0)
    got, ceiling = accuracy_indices(ds.x_test, s)["EAAI"], accuracy_indices(ds.x_test, noise)["EAAI"]
    assert got < 0.5 * ceiling, (got, ceiling)


def test_bad_input_names_the_parameter(fitted):
    _, m = fitted
    with pytest.raises(ConfigError, match=r"`evaluations` must be an integer >= 1, got 0"):
        m.sample(3, evaluations=0)
    with pytest.raises(ConfigError, match=r"`sampler` must be one of"):
        m.sample(3, sampler="heun")
    with pytest.raises(ConfigError, match=r"`t_stop` must be in \(0.0, 1.0\), got 1.0"):
        m.sample(3, t_stop=1.0)
    with pytest.raises(ConfigError, match=r"`t_max` must be greater than t_min"):
        AGMConfig(t_min=0.5, t_max=0.4)
    with pytest.raises(ConfigError, match=r"`corr0` must be in \(-1.0, 1.0\)"):
        AGMConfig(corr0=1.0)
    with pytest.raises(ConfigError, match=r"`x_train` must be finite"):
        train_agm(np.full((3, 4), np.nan), AGMConfig(iterations=1))
    with pytest.raises(ConfigError, match=r"`t` must be times with 0 <= s <= t < 1"):
        transition(1.0)
