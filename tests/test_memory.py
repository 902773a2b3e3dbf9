"""Memory analysis: overlaps, orthogonal activity, closest memory, switches, cycles, settling, decorrelation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.signal

from neurochaos.analysis.memory import (
    compute_orthogonal_activity,
    compute_overlaps,
    count_memories_per_cycle,
    count_switches,
    identify_memory,
    measure_decorrelation_time,
    measure_settling_time,
    memory_at_times,
    project_orthogonal,
)
from neurochaos.errors import ConfigError
from neurochaos.model import random_patterns


@pytest.fixture
def xi():
    return random_patterns(4, 64, np.random.default_rng(3))


def test_overlap_is_one_at_a_saturated_pattern_and_minus_one_at_its_negative(xi):
    x = np.stack([20 * xi[2], -20 * xi[2]])[None]  # (T=1, M=2, N)
    m = compute_overlaps(x, xi)
    assert m.shape == (1, 2, 4)
    np.testing.assert_allclose(m[0, :, 2], [1.0, -1.0], atol=1e-12)
    label, sign = identify_memory(m)
    assert label.tolist() == [[2, 2]] and sign.tolist() == [[1, -1]]


def test_orthogonal_activity_splits_the_rate_norm(xi):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3, 64))
    r = np.tanh(x)
    orth = compute_orthogonal_activity(x, xi)
    comps = project_orthogonal(x, xi)
    assert comps.shape == (5, 3, 60)
    np.testing.assert_allclose(np.linalg.norm(comps, axis=-1), orth, rtol=1e-10)
    q, _ = np.linalg.qr(xi.T)
    inside = np.linalg.norm(r @ q, axis=-1) / 8.0
    np.testing.assert_allclose(orth**2 + inside**2, np.linalg.norm(r, axis=-1) ** 2 / 64, rtol=1e-10)
    assert compute_orthogonal_activity(30 * xi[0], xi) < 1e-10


def test_between_memories_below_threshold():
    m = np.array([[0.45, -0.2], [0.55, 0.1]])
    assert identify_memory(m, 0.5)[0].tolist() == [-1, 0]
    assert identify_memory(m, 0.4)[0].tolist() == [0, 0]


def test_switch_counting_ignores_between_states_and_sign_flips():
    lab = np.array([[1, 1, -1, 1, 1, -1, 3, 3, 0]]).T
    assert count_switches(lab).tolist() == [2]
    assert count_switches(np.full((5, 2), -1)).tolist() == [0, 0]


def test_memories_per_cycle_and_memory_at_cycle_ends():
    t = np.arange(12) * 0.5  # 6 tau, cycles of 2 tau
    lab = np.array([0, 0, -1, 1, 1, 1, 1, 1, 2, -1, 3, 3])
    per = count_memories_per_cycle(lab, t, 2.0)
    assert per.ravel().tolist() == [2, 1, 2]
    assert memory_at_times(lab, t, [1.99, 3.99, 5.99]).ravel().tolist() == [1, 1, 3]


def test_settling_time_needs_the_memory_to_hold_until_the_end():
    t = np.arange(10.0)
    m = np.zeros((10, 2, 2))
    m[4:, 0, 0] = 0.95  # chain 0 settles at t = 4
    m[3, 1, 1] = 0.95  # chain 1 only passes through a memory
    st = measure_settling_time(m, t, [2.0])
    assert st[0, 0] == 2.0 and math.isnan(st[0, 1])


def test_decorrelation_time_is_shorter_for_a_faster_process():
    rng = np.random.default_rng(1)

    def ou(rate, n=40000, dt=0.01):  # x_k = (1 - rate dt) x_{k-1} + sqrt(2 rate dt) noise_k
        noise = math.sqrt(2 * rate * dt) * rng.normal(size=(n, 4))
        return scipy.signal.lfilter([1.0], [1.0, -(1 - rate * dt)], noise, axis=0)

    slow = measure_decorrelation_time(ou(0.5), 0.01, max_lag=20.0)
    fast = measure_decorrelation_time(ou(4.0), 0.01, max_lag=20.0)
    assert 1.4 < slow < 2.8 and 0.18 < fast < 0.35
    assert measure_decorrelation_time(np.ones((100, 3)), 0.1, subtract_mean=False) == math.inf


def test_bad_inputs_raise_clear_errors(xi):
    with pytest.raises(ConfigError, match=r"`x` must be an array whose last axis has N = 64 units"):
        compute_overlaps(np.zeros((3, 1, 50)), xi)
    with pytest.raises(ConfigError, match=r"`P` must be < N = 4"):
        compute_overlaps(np.zeros(4), np.ones((4, 4)))
    with pytest.raises(ConfigError, match=r"`threshold` must be in \(0.0, 1.0\]"):
        identify_memory(np.zeros((2, 3)), 1.5)
    with pytest.raises(ConfigError, match=r"`labels` must be an integer array"):
        count_switches(np.zeros((3, 2)))
