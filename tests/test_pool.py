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


def _pooled_net(**kw):
    return build_generative_network("fu_restricted2", n_visible=8, n_hidden=6, n_pool=20, g=3.0, pool_drive=1.0, **kw)


def test_with_pool_drive_scales_only_the_pool_to_layer_weights():
    net = _pooled_net()
    hi = net.with_pool_drive(4.0)
    np.testing.assert_array_equal(hi.J0[: net.n_layers, net.pool], 4.0 * net.J0[: net.n_layers, net.pool])
    mask = np.ones_like(net.J0, dtype=bool)
    mask[: net.n_layers, net.pool] = False
    np.testing.assert_array_equal(hi.J0[mask], net.J0[mask])  # the layers' J and the pool's own J unchanged
    assert hi.g == net.g and hi.A is net.A
    with pytest.raises(ConfigError, match=r"`scale` must be in \[0.0, inf\)"):
        net.with_pool_drive(-1.0)
    with pytest.raises(ConfigError, match=r"a network with a chaotic pool"):
        build_generative_network("fu_restricted2", n_visible=8, n_hidden=6).with_pool_drive(2.0)


def test_a_drive_cycle_of_scale_1_is_the_plain_stream_and_a_larger_drive_moves_the_chain():
    from neurochaos.learning import stream

    net = _pooled_net()
    plain = stream(net, 12, every=2.0, chains=2, seed=4, transient=2.0)
    same = stream(net, 12, every=2.0, chains=2, seed=4, transient=2.0, drive_cycle=(1.0, 1.0))
    np.testing.assert_allclose(same, plain, rtol=0, atol=1e-12)  # half-period runs continue one trajectory
    pushed = stream(net, 12, every=2.0, chains=2, seed=4, transient=2.0, drive_cycle=(6.0, 1.0))
    assert pushed.shape == plain.shape and not np.allclose(pushed, plain)
    # a stronger push moves the visible units further from one sample to the next
    assert np.abs(np.diff(pushed, axis=0)).mean() > np.abs(np.diff(plain, axis=0)).mean()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"drive_cycle": (4.0, 1.0), "gain_cycle": (3.0, 6.0, 1.0)}, r"`drive_cycle` must be None when gain_cycle"),
        ({"drive_cycle": (4.0,)}, r"`drive_cycle` must be two numbers \(scale, period\)"),
        ({"drive_cycle": (-1.0, 1.0)}, r"`drive_cycle scale` must be in \[0.0, inf\)"),
        ({"drive_cycle": (4.0, 0.0)}, r"`drive_cycle period` must be in \(0.0, inf\)"),
        ({"drive_cycle": (4.0, 1.5)}, r"`every` must be a multiple of the drive cycle's period 1.5"),
        ({"drive_cycle": (4.0, 0.3), "every": 0.6}, r"`drive_cycle period` must be a multiple of 2 dt"),
    ],
)
def test_drive_cycle_bad_input(kwargs, match):
    from neurochaos.learning import stream

    with pytest.raises(ConfigError, match=match):
        stream(_pooled_net(), 4, **{"every": 2.0, **kwargs})
    with pytest.raises(ConfigError, match=r"`drive_cycle` must be None for a network without a chaotic pool"):
        stream(build_generative_network("fu_restricted2", n_visible=8, n_hidden=6), 4, every=2.0,
               drive_cycle=(4.0, 1.0))  # fmt: skip


def test_cli_drive_cycle(tmp_path, capsys):
    from neurochaos.cli import main

    out = tmp_path / "run"
    train(_cfg("phases", 2), out, dataset=_data(), progress=False)
    s = tmp_path / "s.npz"
    argv = ["sample", str(out), "--stream", "--n", "8", "--every", "2", "--chains", "2", "--drive-cycle", "4,1",
            "--out", str(s)]  # fmt: skip
    assert main(argv) == 0
    with np.load(s) as z:
        assert z["samples"].shape == (8, 16) and z["drive_cycle"].tolist() == [4.0, 1.0]
    for extra, match in [
        (["--stream", "--every", "2", "--drive-cycle", "4"], "`--drive-cycle` must be two numbers SCALE,PERIOD"),
        (["--drive-cycle", "4,1"], "`--drive-cycle` must be used with --stream only"),
    ]:
        assert main(["sample", str(out), "--out", str(tmp_path / "x.npz"), *extra]) == 2
        assert match in capsys.readouterr().err
