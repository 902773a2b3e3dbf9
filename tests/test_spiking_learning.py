"""Contrastive Hebbian learning between epochs of a restricted 2-layer spiking network (8x8 digits)."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.errors import ConfigError
from neurochaos.learning.spiking import SpikingLearningConfig, build_learning_network, train_spiking


def test_learning_network_has_frozen_random_and_learned_visible_hidden_pathways():
    cfg = SpikingLearningConfig(n_hidden=10)
    net, mask = build_learning_network(64, cfg)
    assert net.N == 74 and net.card.name == "mixed_lif"
    pre, post, w = net.connections["struct"]
    assert len(pre) == 2 * 64 * 10 == int(mask.sum()) and np.all(w == 0.0)
    assert np.all(mask[post, pre])  # only v-h and h-v pairs are learnable
    assert len(net.connections["rand"][0]) > 0


@pytest.mark.parametrize(
    "kwargs, match",
    [({"chains": 1}, r"`chains` must be an integer >= 2, got 1"), ({"k": 0.0}, r"`k` must be in \(0.0, inf\)")],
)
def test_bad_learning_config_names_the_parameter(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SpikingLearningConfig(**kwargs)


@pytest.mark.standalone
@pytest.mark.slow
def test_indices_improve_over_epochs_with_one_build(has_compiler):
    """One cpp_standalone build; each epoch's phases are run_args reruns (weights and drives)."""
    pytest.importorskip("sklearn")
    res = train_spiking(SpikingLearningConfig(epochs=4, chains=24, k=0.5))
    assert res.n_builds == 1 and len(res.indices) == 5
    first, last = res.indices[0], res.indices[-1]
    assert last["Es"] < first["Es"] and abs(last["ER"]) < abs(first["ER"]) and last["EAAI"] < first["EAAI"], (
        first,
        last,
    )
    assert np.allclose(res.A, res.A.T) and np.any(res.A != 0)


SPIKING_TRAIN = """
[model]
card = "fu_lif_restricted2"
n_hidden = 8
T = 2.0
[training]
M = 6
steps = 4
executor = "{executor}"
checkpoint_every = 1
[data]
name = "digits"
n_train = 100
n_test = 50
"""


def _train_cli(tmp_path, executor, name, *extra):
    from neurochaos.cli import main

    cfg = tmp_path / f"{executor}.toml"
    cfg.write_text(SPIKING_TRAIN.format(executor=executor))
    assert main(["train", str(cfg), "--out", str(tmp_path / name), "--no-progress", *extra]) == 0
    return cfg


@pytest.mark.parametrize(
    "executor", ["brian2-runtime", pytest.param("brian2-cpp", marks=[pytest.mark.standalone, pytest.mark.slow])]
)
def test_neurochaos_train_trains_a_spiking_card_and_resumes_exactly(tmp_path, executor):
    """The spiking phase runner goes through `train`: checkpoints, exact resume, `neurochaos sample`."""
    from neurochaos.cli import main
    from neurochaos.learning import load_trained

    _train_cli(tmp_path, executor, "cut", "--steps", "2")
    _train_cli(tmp_path, executor, "cut", "--steps", "4", "--resume")
    _train_cli(tmp_path, executor, "whole")
    a, _, ca = load_trained(tmp_path / "cut")
    b, _, cb = load_trained(tmp_path / "whole")
    assert a.spiking and ca.step == cb.step == 4
    assert np.abs(b.A).max() > 0 and np.array_equal(a.A, b.A) and np.array_equal(a.bias, b.bias)
    assert np.all(b.A[~b.mask] == 0) and np.allclose(b.A, b.A.T)
    out = tmp_path / "s.npz"
    assert main(["sample", str(tmp_path / "whole"), "--n", "5", "--out", str(out)]) == 0
    with np.load(out) as z:
        assert z["samples"].shape == (5, 64) and set(np.unique(z["samples"])) <= {-1.0, 1.0}


def test_spiking_cards_refuse_what_they_cannot_do(tmp_path):
    from neurochaos.errors import ConfigError
    from neurochaos.learning import TrainConfig, train

    base = {"model": {"card": "fu_lif_restricted2", "n_hidden": 4, "T": 1.0}, "data": {"name": "digits"}}
    for training, match in (
        ({"executor": "torch", "steps": 1}, r"`training.executor` must be one of \['brian2-cpp'"),
        ({"executor": "brian2-runtime", "free_init": "data", "steps": 1}, r"`training.free_init` must be 'random'"),
        ({"engine": "fused", "steps": 1}, r"`training.engine` must be 'phases' for a spiking card"),
    ):
        cfg = TrainConfig.from_dict({**base, "training": training})
        with pytest.raises(ConfigError, match=match):
            train(
                cfg,
                tmp_path / str(len(training)) / training.get("free_init", training.get("engine", "x")),
                progress=False,
            )
