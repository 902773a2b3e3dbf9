"""Contrastive Hebbian trainer: torch vs Brian2 standalone, no noise in the free phase, exact resume, bad input."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from neurochaos.data import Dataset
from neurochaos.errors import CheckpointError, ConfigError, DataError
from neurochaos.learning import PhaseRunner, TrainConfig, build_generative_network, contrastive_update, train
from neurochaos.learning.trainer import CHECKPOINT_NAME


def _dataset(n_visible=16, n_train=40, n_test=20, seed=0):
    rng = np.random.default_rng(seed)
    side = int(np.sqrt(n_visible))
    x = np.where(rng.random((n_train + n_test, n_visible)) > 0.5, 1.0, -1.0)
    y = np.zeros(n_train + n_test, dtype=int)
    return Dataset(
        x[:n_train], y[:n_train], x[n_train:], y[n_train:], (side, n_visible // side), "toy", "pm1", "random +-1 images"
    )


def _config(steps=6, **training):
    return TrainConfig.from_dict(
        {
            "model": {"card": "fu_restricted2", "n_visible": 16, "n_hidden": 8, "T": 1.0},
            "training": {"M": 4, "steps": steps, "checkpoint_every": 2, "k": 0.05, **training},
            "data": {"name": "toy"},
        }
    )


def _small_net():
    net = build_generative_network("fu_restricted2", n_visible=16, n_hidden=8, T=1.0, seed=3)
    rng = np.random.default_rng(4)
    A = np.where(net.mask, rng.normal(0, 0.3, (24, 24)), 0.0)
    return net.with_params((A + A.T) / 2, rng.normal(0, 0.1, 24))


@pytest.mark.standalone
def test_torch_and_brian2_standalone_give_the_same_update(has_compiler):
    net = _small_net()
    rng = np.random.default_rng(5)
    batch = np.where(rng.random((4, 16)) > 0.5, 1.0, -1.0)
    x0 = rng.normal(size=(4, 24))
    updates = {}
    for name in ("torch", "brian2-cpp"):
        runner = PhaseRunner(net, name)
        try:
            for _ in range(2):  # two epochs on one build
                sc = runner.clamped(net, batch)
                sf, _ = runner.free(net, x0)
            updates[name] = contrastive_update(net.A, net.bias, sc, sf, k=0.01, mask=net.mask)
            if name == "brian2-cpp":
                assert runner.executor.n_builds == 1
        finally:
            runner.close()
    np.testing.assert_allclose(updates["torch"][0], updates["brian2-cpp"][0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(updates["torch"][1], updates["brian2-cpp"][1], rtol=0, atol=1e-6)
    assert np.abs(updates["torch"][0] - net.A).max() > 1e-4  # the update is not trivially zero


def test_free_phase_draws_no_random_numbers_and_is_reproducible(monkeypatch):
    import torch

    net = _small_net()
    runner = PhaseRunner(net)
    x0 = np.random.default_rng(0).normal(size=(4, 24))
    runner.free(net, x0)  # warm up (compilation)

    def forbidden(*args, **kwargs):
        raise AssertionError("a random number was drawn during the free phase")

    for name in (
        "default_rng",
        "normal",
        "random",
        "randn",
        "rand",
        "randint",
        "choice",
        "standard_normal",
        "uniform",
        "seed",
    ):
        monkeypatch.setattr(np.random, name, forbidden)
    for name in (
        "randn",
        "rand",
        "randn_like",
        "rand_like",
        "normal",
        "randint",
        "bernoulli",
        "multinomial",
        "manual_seed",
    ):
        monkeypatch.setattr(torch, name, forbidden)
    monkeypatch.setattr(torch.Tensor, "normal_", forbidden)
    monkeypatch.setattr(torch.Tensor, "uniform_", forbidden)
    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state().clone()
    s1, x1 = runner.free(net, x0)
    s2, x2 = runner.free(net, x0)
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)  # global streams untouched
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.std(s1) > 0.05  # chaotic activity, not a silent network


class _Stop(Exception):
    pass


def test_resume_after_interruption_gives_identical_weights(tmp_path):
    ds = _dataset()
    full = train(_config(steps=7, free_init="persistent"), tmp_path / "full", dataset=ds, progress=False)

    def crash(step, net):
        if step == 5:
            raise _Stop

    with pytest.raises(_Stop):
        train(_config(steps=7, free_init="persistent"), tmp_path / "cut", dataset=ds, progress=False, callback=crash)
    resumed = train(_config(steps=7, free_init="persistent"), tmp_path / "cut", dataset=ds, progress=False, resume=True)
    assert resumed.step == full.step == 7
    np.testing.assert_array_equal(resumed.network.A, full.network.A)
    np.testing.assert_array_equal(resumed.network.bias, full.network.bias)
    assert np.abs(full.network.A).max() > 0


def test_existing_checkpoint_is_never_overwritten_by_a_failed_run(tmp_path):
    ds = _dataset()
    train(_config(steps=2), tmp_path, dataset=ds, progress=False)
    ckpt = tmp_path / CHECKPOINT_NAME
    before = ckpt.read_bytes()
    with pytest.raises(CheckpointError, match="already exists"):
        train(_config(steps=4), tmp_path, dataset=ds, progress=False)
    with pytest.raises(CheckpointError, match=r"another config: model.g"):
        train(_config(steps=4).replace("model", g=2.0), tmp_path, dataset=ds, progress=False, resume=True)
    bad = SimpleNamespace(x_train=np.full((10, 16), np.nan), x_test=ds.x_test)
    with pytest.raises(DataError, match="finite"):
        train(_config(steps=4), tmp_path, dataset=bad, progress=False, resume=True)
    assert ckpt.read_bytes() == before


def test_corrupt_or_missing_checkpoint_raises_checkpoint_error(tmp_path):
    ckpt = tmp_path / CHECKPOINT_NAME
    with pytest.raises(CheckpointError, match="existing file"):
        train(_config(), tmp_path, dataset=_dataset(), progress=False, resume=True)
    ckpt.write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(CheckpointError, match="corrupt"):
        train(_config(), tmp_path, dataset=_dataset(), progress=False, resume=True)
    assert ckpt.read_bytes() == b"PK\x03\x04 this is not a zip archive"


@pytest.mark.parametrize(
    ("dataset", "match"),
    [
        (_dataset(n_visible=25), "must have 16 columns"),
        (SimpleNamespace(x_train=np.zeros((0, 16)), x_test=np.zeros((3, 16))), "non-empty"),
        (SimpleNamespace(x_train=np.full((5, 16), 2.0), x_test=np.zeros((3, 16))), r"\[-1, 1\]"),
    ],
)
def test_bad_data_is_rejected_before_any_output(tmp_path, dataset, match):
    with pytest.raises(DataError, match=match):
        train(_config(), tmp_path, dataset=dataset, progress=False)
    assert not (tmp_path / CHECKPOINT_NAME).exists()


def test_unknown_config_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['learning_rate'\] in \[training\]"):
        TrainConfig.from_dict({"training": {"learning_rate": 0.1}})
    with pytest.raises(ConfigError, match="training.free_init"):
        TrainConfig.from_dict({"training": {"free_init": "noise"}})
