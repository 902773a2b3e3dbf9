"""Gain-modulation protocol: cycles, epochs vs schedules, executors, retrieval, exploration, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.analysis.memory import compute_overlaps
from neurochaos.errors import ConfigError
from neurochaos.model import PiecewiseLinearGain, SquareGain
from neurochaos.protocols import Epoch, GainCycle, build_memory_network, run_gain_cycle, run_gain_protocol


def test_gain_cycle_is_high_first_then_low():
    c = GainCycle(low=1.0, high=8.0, period=10.0, duty=0.3, cycles=4)
    assert c.T == 40.0
    assert isinstance(c.schedule, SquareGain)
    g = c.schedule.sample(400, 0.1)
    assert g[0] == 8.0 and g[29] == 8.0 and g[30] == 1.0 and g[99] == 1.0 and g[100] == 8.0
    np.testing.assert_allclose(c.drop_times, [3, 13, 23, 33])
    np.testing.assert_allclose(c.end_times, [10, 20, 30, 40])


def test_a_gain_cycle_is_the_square_wave_with_a_duration():
    c = GainCycle(low=1.0, high=8.0, period=10.0, duty=0.3, cycles=4)
    assert isinstance(c, SquareGain) and c.duration == 40.0 and not c.is_constant
    np.testing.assert_array_equal(c.sample(400, 0.1), c.schedule.sample(400, 0.1))
    with pytest.raises(ConfigError, match=r"`gain schedule duration` must be >= the run length"):
        c.sample(402, 0.1)
    with pytest.raises(ConfigError, match=r"`phase` must be 0 for a GainCycle"):
        GainCycle(1.0, 8.0, 10.0, 0.5, 3)  # the fifth positional field is SquareGain's phase
    with pytest.raises(ConfigError, match=r"`duty` must be in \(0.0, 1.0\)"):
        GainCycle(low=1.0, high=8.0, period=10.0, duty=1.0)


def test_epochs_carry_the_state_and_match_one_scheduled_epoch():
    net = build_memory_network(N=40, P=3, seed=2)
    x0 = np.random.default_rng(0).normal(size=(2, 40))
    between = run_gain_protocol(net, [Epoch(5.0, 1.0), (5.0, 8.0)], x0=x0)
    within = run_gain_protocol(net, SquareGain(low=1.0, high=8.0, period=10.0, phase=5.0), T=10.0, x0=x0)
    assert between.x.shape == within.x.shape == (100, 2, 40)
    np.testing.assert_allclose(between.t, within.t, atol=1e-12)
    np.testing.assert_allclose(between.gains, within.gains)
    np.testing.assert_allclose(between.x, within.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(between.x_final, within.x_final, rtol=1e-10, atol=1e-12)
    assert between.gains[49] == 1.0 and between.gains[50] == 8.0


def test_gain_scales_only_the_random_part_of_mixed_rate():
    """At g = 0 the mixed network is the pure structured network (the random weights do not matter)."""
    a = build_memory_network(N=30, P=2, seed=0)
    b = a.with_weights(rand=7.0 * a.weights["rand"])
    x0 = np.random.default_rng(1).normal(size=(1, 30))
    ra, rb = run_gain_protocol(a, 0.0, T=3.0, x0=x0), run_gain_protocol(b, 0.0, T=3.0, x0=x0)
    np.testing.assert_array_equal(ra.x, rb.x)
    rc = run_gain_protocol(b, 1.0, T=3.0, x0=x0)
    assert not np.allclose(rc.x_final, ra.x_final)


def test_brian2_runtime_sees_the_same_gain_cycle_as_torch():
    net = build_memory_network(N=20, P=2, seed=0)
    cycle = GainCycle(low=1.0, high=8.0, period=1.0, cycles=2)
    x0 = np.random.default_rng(3).normal(size=(1, 20))
    tt = run_gain_protocol(net, cycle, x0=x0, executor="torch")
    tb = run_gain_protocol(net, cycle, x0=x0, executor="brian2-runtime")
    np.testing.assert_allclose(tb.x, tt.x, rtol=1e-9, atol=1e-9)


def test_g0_converges_to_a_stored_pattern_from_most_starts():
    net = build_memory_network(N=100, P=3, seed=0)
    run = run_gain_protocol(net, 0.0, T=40.0, chains=20, seed=1, record_every=50)
    best = np.abs(compute_overlaps(run.x_final, net.patterns)).max(axis=1)
    assert np.mean(best > 0.9) >= 0.6


def test_card_structure_retrieves_at_g0_and_explores_from_g3():
    """Chaudhuri & Handebagh Fig. 4 progression with the card's J_s (issue 12: J_s = 4 sat at a fixed point at g = 3)."""
    from neurochaos.analysis.memory import measure_motion

    retrieving, moving = {}, {}
    for g in (0.0, 3.0):
        best, motion = [], []
        for seed in (0, 1):
            net = build_memory_network(N=200, P=10, g=g, seed=seed)
            run = run_gain_protocol(net, g, T=250.0, chains=10, seed=seed + 1, record_every=10)
            best.extend(np.abs(compute_overlaps(run.x_final, net.patterns)).max(axis=1))
            motion.extend(measure_motion(run.x, run.t, start=150.0))
        retrieving[g], moving[g] = np.mean(np.array(best) > 0.9), np.mean(np.array(motion) > 1e-3)
    assert retrieving[0.0] >= 0.7 and moving[0.0] <= 0.1, (retrieving, moving)
    assert moving[3.0] >= 0.7 and retrieving[3.0] == 0.0, (retrieving, moving)


def test_motion_is_zero_at_a_fixed_point_and_rejects_a_short_window():
    from neurochaos.analysis.memory import measure_motion

    t = np.arange(10.0)
    x = np.zeros((10, 2, 5))
    x[:, 1] = np.sin(t)[:, None]
    mot = measure_motion(x, t, start=2.0)
    assert mot[0] == 0.0 and mot[1] > 0.3
    with pytest.raises(ConfigError, match=r"`start` must be a time leaving at least two records"):
        measure_motion(x, t, start=9.0)


def test_high_gain_phases_move_the_network_between_memories():
    kw = dict(N=200, P=10, g_low=1.0, period=30.0, cycles=6, seed=1, chains=4)
    low = run_gain_cycle(g_high=1.0, **kw).summary
    high = run_gain_cycle(g_high=8.0, **kw).summary
    assert low["distinct_settled"] <= 1.25  # stays in the memory it found first
    assert high["distinct_settled"] > 2.5  # settles into different memories after exploring
    assert high["switches_per_tau"] > low["switches_per_tau"]
    assert high["memories_per_cycle"] > low["memories_per_cycle"]
    assert np.asarray(high["overlaps_final"]).shape == (4, 10)


def test_bad_input_gives_clear_errors():
    net = build_memory_network(N=30, P=2, seed=0)
    with pytest.raises(ConfigError, match=r"`T` must be <= the gain schedule's duration 5 tau"):
        run_gain_protocol(net, PiecewiseLinearGain(times=(0, 5), values=(1, 2)), T=10.0)
    with pytest.raises(ConfigError, match=r"`T` must be <= the gain cycle's length 20 tau"):
        run_gain_protocol(net, GainCycle(1.0, 8.0, 10.0, cycles=2), T=30.0)
    with pytest.raises(ConfigError, match=r"`T` must be given for a schedule without an end"):
        run_gain_protocol(net, SquareGain(1.0, 8.0, 10.0))
    with pytest.raises(ConfigError, match=r"`g_low` must be in \[0.0, inf\), got -1.0"):
        GainCycle(low=-1.0, high=8.0, period=10.0)
    with pytest.raises(ConfigError, match=r"`g` must be in \[0.0, inf\), got -2.0"):
        run_gain_protocol(net, [Epoch(1.0, 1.0), (1.0, -2.0)])
    with pytest.raises(ConfigError, match=r"`patterns` must be of shape \(any, 30\), got 'array of shape \(2, 25\)'"):
        build_memory_network(N=30, patterns=np.ones((2, 25)))
    with pytest.raises(ConfigError, match=r"`P` must be < N = 30"):
        build_memory_network(N=30, P=30)
    with pytest.raises(ConfigError, match=r"`P` must be < N = 30"):
        build_memory_network(N=30, patterns=np.ones((30, 30)))
    with pytest.raises(ConfigError, match=r"`model` must have a hopfield pathway"):
        build_memory_network("chaotic_rate", N=30)
    with pytest.raises(ConfigError, match=r"`x0` must be of shape \(any, 30\)"):
        run_gain_protocol(net, 1.0, T=1.0, x0=np.zeros((1, 29)))
