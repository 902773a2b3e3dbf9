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
