"""The chaotic pool: a never-trained random network that drives the hidden units (model.n_pool)."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.errors import ConfigError
from neurochaos.learning import GenerativeNetwork, TrainConfig, build_generative_network, load_trained, train
from neurochaos.learning.chaos import chaos_probe
from neurochaos.learning.phases import PhaseRunner
from neurochaos.learning.trainer import _config_diff


def _data(n=40, nv=16, seed=0):
    from neurochaos.data import Dataset

    rng = np.random.default_rng(seed)
    x = np.where(rng.random((n, nv)) > 0.6, 1.0, -1.0)
    y = np.zeros(n, dtype=int)
    return Dataset(x[:30], y[:30], x[30:], y[30:], (4, 4), "toy", "pm1", "random +-1 images")


def _cfg(engine, steps, model=None, **training):
    model = {"card": "fu_restricted2", "n_visible": 16, "n_hidden": 6, "T": 1.0, "g": 2.0, "n_pool": 30,
             "j_scope": "none", **(model or {})}  # fmt: skip
    return TrainConfig.from_dict(
        {"model": model, "training": {"M": 5, "steps": steps, "engine": engine, "k": 0.05, **training}}
    )


def test_the_pool_receives_nothing_learns_nothing_and_drives_only_the_hidden_units():
    net = build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, n_pool=5, pool_drive=0.5, j_scope="all")
    assert net.N == 15 and net.n_layers == 10 and net.pool == slice(10, 15)
    assert not net.J0[10:, :10].any()  # nothing from the layers into the pool
    assert net.J0[10:, 10:].any() and not np.diag(net.J0).any()
    assert not net.J0[:6, 10:].any() and net.J0[6:10, 10:].all()  # the pool drives the hidden units only
    assert not net.mask[10:].any() and not net.mask[:, 10:].any()
    assert net.bias_mask.tolist() == [1.0] * 10 + [0.0] * 5
    plain = build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, j_scope="all")
    np.testing.assert_array_equal(net.J0[:10, :10], plain.J0)  # the layers' J is the one without a pool
    half = build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, n_pool=5, pool_drive=0.25, pool_gain=2.0)
    np.testing.assert_allclose(half.J0[6:10, 10:], 0.5 * net.J0[6:10, 10:])
    np.testing.assert_allclose(half.J0[10:, 10:], 2.0 * net.J0[10:, 10:])


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"j_scope": "none"}, "j_scope"),
        ({"n_pool": -1}, "n_pool"),
        ({"n_pool": 3, "pool_drive": -1.0}, "pool_drive"),
        ({"n_pool": 3, "pool_gain": 0.0}, "pool_gain"),
    ],
)
def test_bad_pool_arguments_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, **kwargs)


def test_a_spiking_card_refuses_a_pool_and_the_config_checks_it_once():
    with pytest.raises(ValueError, match="n_pool"):
        build_generative_network("fu_lif_restricted2", n_visible=6, n_hidden=4, n_pool=3)
    with pytest.raises(ConfigError, match="model.j_scope"):
        TrainConfig.from_dict({"model": {"j_scope": "none"}})
    with pytest.raises(ConfigError, match="model.n_pool"):
        TrainConfig.from_dict({"model": {"n_pool": -2}})


def test_a_network_with_pool_refuses_learned_weights_or_input_into_the_pool():
    net = build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, n_pool=5)
    bias = net.bias.copy()
    bias[12] = 0.1
    with pytest.raises(ValueError, match="bias"):
        net.with_params(net.A, bias)
    J0 = net.J0.copy()
    J0[12, 3] = 0.1
    fields = dict(net.__dict__)
    fields.pop("mask", None)
    fields["J0"] = J0
    with pytest.raises(ValueError, match="J0"):
        GenerativeNetwork(**fields)


def test_both_phases_of_a_step_see_the_same_pool_trajectory():
    net = build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, n_pool=20, g=2.5, T=2.0)
    x0 = np.random.default_rng(1).normal(size=(3, net.N))
    runner = PhaseRunner(net)
    s_c = runner.clamped_unchecked(net, np.ones((3, 6)), x0)
    s_f, _ = runner.free_unchecked(net, x0)
    np.testing.assert_allclose(s_c[:, net.pool], s_f[:, net.pool], rtol=0, atol=1e-12)
    assert np.abs(s_f[:, net.pool]).max() > 0.1  # the pool is active, not at its fixed point 0
    assert not np.allclose(s_c[:, 6:10], s_f[:, 6:10])  # the clamped data change the hidden units


@pytest.mark.parametrize("free_init", ["random", "persistent"])
def test_the_engines_train_the_same_pool_network_and_never_touch_the_pool(tmp_path, free_init):
    nets = {}
    for engine in ("phases", "fused"):
        nets[engine] = train(_cfg(engine, 4, free_init=free_init), tmp_path / engine, dataset=_data(),
                             progress=False).network  # fmt: skip
    a, b = nets["phases"], nets["fused"]
    assert np.abs(a.A).max() > 0 and np.abs(a.bias[:22]).max() > 0
    np.testing.assert_allclose(b.A, a.A, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b.bias, a.bias, rtol=0, atol=1e-10)
    assert not a.bias[a.pool].any() and not b.bias[b.pool].any() and not b.A[:, b.pool].any()
    fresh = load_trained(tmp_path / "fused")[0]
    assert fresh.n_pool == 30 and np.array_equal(fresh.J0, b.J0) and np.array_equal(fresh.A, b.A)


def test_resume_with_a_pool_is_exact_and_old_checkpoints_need_no_pool_keys(tmp_path):
    full = train(_cfg("fused", 6), tmp_path / "full", dataset=_data(), progress=False)
    train(_cfg("fused", 3), tmp_path / "cut", dataset=_data(), progress=False)
    resumed = train(_cfg("fused", 6), tmp_path / "cut", dataset=_data(), resume=True, progress=False)
    np.testing.assert_array_equal(resumed.network.A, full.network.A)
    np.testing.assert_array_equal(resumed.network.bias, full.network.bias)
    old = TrainConfig.from_dict({"model": {"card": "fu_restricted2"}}).resolve().to_dict()
    for key in ("n_pool", "pool_drive", "pool_gain"):
        old["model"].pop(key)
    assert _config_diff(old, TrainConfig.from_dict({"model": {"card": "fu_restricted2"}}).resolve().to_dict()) == []


def test_the_pool_keeps_the_network_chaotic_and_the_probe_reports_the_driven_layers():
    net = build_generative_network("fu_restricted2", n_visible=20, n_hidden=10, n_pool=150, g=3.0, j_scope="none")
    # strong learned coupling that saturates the layers: the layers alone could not be chaotic
    rng = np.random.default_rng(0)
    W = 3.0 * rng.normal(size=(20, 10))
    A = np.zeros_like(net.A)
    A[:20, 20:30], A[20:30, :20] = W, W.T
    probe = chaos_probe(net.with_params(A, net.bias), T=20.0, states=4)
    assert probe["lambda_max"] > 0.05  # the pool's exponent
    assert probe["lambda_layers"] < probe["lambda_max"]  # the driven layers follow the pool
    assert 0 <= probe["saturated_pool"] < 0.5
