"""training.k_final: a cosine-decaying learning rate, the same on both engines, resumed exactly."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from neurochaos.errors import ConfigError, RunInterrupted
from neurochaos.learning import TrainConfig, train
from neurochaos.learning.hebbian import learning_rate


def _cfg(engine, steps=6, **training):
    return TrainConfig.from_dict(
        {
            "model": {"card": "fu_restricted2", "n_visible": 64, "n_hidden": 8, "T": 1.0},
            "training": {"M": 6, "steps": steps, "engine": engine, "k": 0.05, "checkpoint_every": 2, **training},
            "data": {"name": "digits", "n_train": 100, "n_test": 50},
        }
    )


def test_the_schedule_is_a_cosine_from_k_to_k_final():
    ks = [learning_rate(s, 0.01, 10, 0.002) for s in range(11)]
    assert ks[0] == 0.01 and ks[10] == pytest.approx(0.002, abs=1e-15)
    assert ks[5] == pytest.approx(0.006)
    assert all(b < a for a, b in zip(ks, ks[1:]))  # strictly decreasing
    assert learning_rate(3, 0.01, 10) == learning_rate(3, 0.01, 10, 0.01) == 0.01
    assert learning_rate(12, 0.01, 10, 0.002) == pytest.approx(0.002)  # past the end: stays at k_final


@pytest.mark.parametrize("engine", ["phases", "fused"])
def test_k_final_changes_training_and_k_final_equal_to_k_changes_nothing(tmp_path, engine):
    plain = train(_cfg(engine), tmp_path / "plain", progress=False).network
    same = train(_cfg(engine, k_final=0.05), tmp_path / "same", progress=False).network
    decayed = train(_cfg(engine, k_final=0.005), tmp_path / "decayed", progress=False).network
    np.testing.assert_array_equal(same.A, plain.A)
    np.testing.assert_array_equal(same.bias, plain.bias)
    assert not np.allclose(decayed.A, plain.A)
    # smaller steps: the learned coupling moved less far from zero
    assert 0 < np.abs(decayed.A).sum() < np.abs(plain.A).sum()


def test_both_engines_take_the_same_decaying_steps(tmp_path):
    a = train(_cfg("phases", k_final=0.001), tmp_path / "p", progress=False).network
    b = train(_cfg("fused", k_final=0.001), tmp_path / "f", progress=False).network
    np.testing.assert_allclose(b.A, a.A, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b.bias, a.bias, rtol=0, atol=1e-10)


@pytest.mark.parametrize("engine", ["phases", "fused"])
def test_an_interrupted_decaying_run_resumes_exactly_and_only_with_the_same_steps(tmp_path, engine):
    cfg = _cfg(engine, k_final=0.001)
    whole = train(cfg, tmp_path / "whole", progress=False).network

    def interrupt(step, net):
        if step == 3:
            os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C: the loop stops after this step and checkpoints

    with pytest.raises(RunInterrupted, match="after step 3 of 6"):
        train(cfg, tmp_path / "cut", progress=False, callback=interrupt, callback_every=1)
    with pytest.raises(ConfigError, match=r"training.steps.*k_final"):
        train(cfg.replace("training", steps=8), tmp_path / "cut", resume=True, progress=False)
    rest = train(cfg, tmp_path / "cut", resume=True, progress=False).network
    np.testing.assert_array_equal(rest.A, whole.A)
    np.testing.assert_array_equal(rest.bias, whole.bias)


def test_k_final_above_k_is_refused():
    with pytest.raises(ConfigError, match=r"training.k_final.*<= training.k = 0.05"):
        _cfg("phases", k_final=0.1)
    with pytest.raises(ConfigError, match="training.k_final"):
        _cfg("phases", k_final=0.0)
