"""Chaos-driven sampling (issue 14): stream sampling, the chaos probe, homeostasis and soft clamp targets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from neurochaos.cli import main
from neurochaos.errors import ConfigError, ResourceError
from neurochaos.learning import TrainConfig, build_generative_network, load_trained, stream, train
from neurochaos.learning.chaos import adapt_gain, chaos_probe
from neurochaos.learning.checkpoint import load_checkpoint

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def net():
    return build_generative_network("fu_restricted2", n_visible=16, n_hidden=16, g=3.0, seed=2)


def test_a_stream_is_one_trajectory_read_at_intervals_whatever_the_chunking(net):
    a = stream(net, 24, every=0.5, chains=2, seed=3, frames_per_run=500)
    b = stream(net, 24, every=0.5, chains=2, seed=3, frames_per_run=5)  # the run continues from its last state
    assert a.shape == (12, 2, 16)
    np.testing.assert_array_equal(a, b)
    one = stream(net, 1, every=6.0, chains=2, seed=3)  # the 12th frame, read directly
    np.testing.assert_allclose(one[0], a[-1], rtol=0, atol=1e-12)
    assert not np.allclose(a[0], a[1])  # chaos moves the chain between samples


def test_the_sampling_gain_changes_the_stream_and_a_gain_cycle_reads_once_per_period(net):
    base = stream(net, 8, every=0.5, seed=1)
    assert not np.allclose(base, stream(net, 8, every=0.5, seed=1, g=6.0))
    cyc = stream(net, 4, every=2.0, seed=1, gain_cycle=(3.0, 9.0, 1.0))
    assert cyc.shape == (4, 1, 16) and not np.allclose(cyc[0], cyc[1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"every": 0.55}, r"`every` must be a multiple of dt = 0.1 tau, got 0.55"),
        ({"every": 0.0}, r"`every` must be in \(0.0, inf\)"),
        ({"every": 2.0, "gain_cycle": (9.0, 3.0, 1.0)}, r"`gain_cycle` must have low <= high .* got low 9 > high 3"),
        ({"every": 2.0, "gain_cycle": (3.0, 9.0, 0.0)}, r"`gain_cycle period` must be in \(0.0, inf\)"),
        ({"every": 1.5, "gain_cycle": (3.0, 9.0, 1.0)}, r"`every` must be a multiple of the gain cycle's period 1"),
        ({"every": 2.0, "gain_cycle": (3.0, 9.0)}, r"`gain_cycle` must be three numbers"),
        ({"every": 2.0, "gain_cycle": (3.0, 9.0, 1.0), "g": 2.0}, r"`g` must be None when gain_cycle is given"),
        ({"every": 0.5, "chains": 0}, r"`chains` must be an integer >= 1"),
        ({"every": 0.5, "g": -1.0}, r"`g` must be in \[0.0, inf\)"),
    ],
)
def test_stream_bad_input(net, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        stream(net, 4, **kwargs)


def test_a_stream_longer_than_memory_is_refused_before_allocating(net):
    with pytest.raises(ResourceError, match=r"the stream \(\d+ frames x 1 chains\) need .* more than"):
        stream(net, 10**13, every=0.5)


def test_chaos_probe_sees_chaos_at_high_gain_and_none_at_low_gain():
    hot = chaos_probe(build_generative_network("fu_restricted2", n_visible=30, n_hidden=30, g=6.0), T=20.0)
    cold = chaos_probe(build_generative_network("fu_restricted2", n_visible=30, n_hidden=30, g=0.5), T=20.0)
    assert hot["lambda_max"] > 0.02 > -0.02 > cold["lambda_max"]
    assert hot["jacobian_radius"] > 1 > cold["jacobian_radius"]
    assert 0 <= cold["saturated"] <= hot["saturated"] <= 1


def test_adapt_gain_moves_g_toward_the_target_within_bounds():
    assert adapt_gain(2.0, -0.1, 0.05, 2.0) > 2.0 > adapt_gain(2.0, 0.3, 0.05, 2.0)
    assert adapt_gain(19.0, -10.0, 0.05, 2.0) == 20.0 and adapt_gain(0.2, 10.0, 0.05, 2.0) == 0.1


def _cfg(engine, steps, **training):
    return TrainConfig.from_dict(
        {
            "model": {"card": "fu_restricted2", "n_visible": 64, "n_hidden": 8, "T": 1.0, "g": 2.5},
            "training": {"M": 10, "steps": steps, "engine": engine, "checkpoint_every": 1, **training},
            "data": {"name": "digits", "n_train": 200, "n_test": 100},
        }
    )


@pytest.mark.parametrize("engine", ["phases", "fused"])
def test_homeostasis_records_and_restores_g_and_resume_is_exact(tmp_path, engine):
    opts = {"chaos_every": 2, "chaos_target": 0.5, "chaos_rate": 1.0, "clamp_scale": 0.8}
    full = train(_cfg(engine, 6, **opts), tmp_path / "full", progress=False)
    assert [c["step"] for c in full.chaos] == [0, 2, 4, 6]
    gs = [c["g"] for c in full.chaos]
    assert gs[0] == 2.5 and all(b == a["g_next"] for a, b in zip(full.chaos, gs[1:]))
    assert full.network.g == full.chaos[-1]["g_next"] != 2.5  # target far above: the gain rose
    ck = load_checkpoint(tmp_path / "full" / "checkpoint.npz")
    assert ck.g == full.network.g and ck.chaos == json.loads(json.dumps(full.chaos))
    assert load_trained(tmp_path / "full")[0].g == full.network.g
    train(_cfg(engine, 3, **opts), tmp_path / "cut", progress=False)
    resumed = train(_cfg(engine, 6, **opts), tmp_path / "cut", resume=True, progress=False)
    np.testing.assert_array_equal(resumed.network.A, full.network.A)
    np.testing.assert_array_equal(resumed.network.bias, full.network.bias)
    assert resumed.network.g == full.network.g and resumed.chaos == full.chaos


def test_the_probe_length_is_set_by_the_config_and_old_checkpoints_still_resume(tmp_path):
    short = train(_cfg("phases", 2, chaos_every=2), tmp_path / "short", progress=False)
    longer = train(_cfg("phases", 2, chaos_every=2, chaos_chains=2, chaos_T=20.0), tmp_path / "long", progress=False)
    assert [c["step"] for c in longer.chaos] == [0, 2]
    assert longer.chaos[0]["lambda_max"] != short.chaos[0]["lambda_max"]  # another measurement
    np.testing.assert_array_equal(longer.network.A, short.network.A)  # the probe does not touch training
    cfg_path = tmp_path / "short" / "config.json"  # a run written before the fields existed
    from neurochaos.learning.checkpoint import load_checkpoint as _load

    ck = tmp_path / "short" / "checkpoint.npz"
    stored = _load(ck)
    for key in ("chaos_chains", "chaos_T"):
        stored.config["training"].pop(key)
    from neurochaos.learning.trainer import _config_diff

    assert _config_diff(stored.config, _cfg("phases", 4, chaos_every=2).resolve().to_dict()) == []
    assert _config_diff(stored.config, _cfg("phases", 4, chaos_every=2, chaos_chains=8).resolve().to_dict()) == [
        "training.chaos_chains: checkpoint None != config 8"
    ]
    assert cfg_path.exists()
    for bad in ({"chaos_chains": 0}, {"chaos_T": 0.0}):
        with pytest.raises(ConfigError, match=f"training.{next(iter(bad))}"):
            _cfg("phases", 2, chaos_every=2, **bad)


def test_soft_clamp_targets_change_training_and_are_checked(tmp_path):
    a = train(_cfg("phases", 2), tmp_path / "a", progress=False).network
    b = train(_cfg("phases", 2, clamp_scale=0.5), tmp_path / "b", progress=False).network
    assert not np.allclose(a.A, b.A)
    for bad, match in [
        ({"clamp_scale": 0.0}, "training.clamp_scale"),
        ({"chaos_target": 0.05}, "training.chaos_every"),
    ]:
        with pytest.raises(ConfigError, match=match):
            _cfg("phases", 2, **bad)


def test_cli_stream_sampling_writes_samples_and_refuses_bad_input(tmp_path, capsys):
    out = tmp_path / "run"
    train(_cfg("phases", 2), out, progress=False)
    s = tmp_path / "s.npz"
    argv = ["sample", str(out), "--stream", "--n", "30", "--every", "0.5", "--chains", "3", "--out", str(s)]
    assert main(argv) == 0
    with np.load(s) as z:
        assert z["samples"].shape == (30, 64) and set(np.unique(z["samples"])) <= {-1.0, 1.0}
        assert float(z["every"]) == 0.5 and int(z["chains"]) == 3 and int(z["frames"]) == 10
    for extra, match in [
        (["--gain-cycle", "3,1,1", "--every", "2"], "`gain_cycle` must have low <= high"),
        (["--gain-cycle", "1,3,-1", "--every", "2"], "`gain_cycle period` must be in (0.0, inf)"),
        (["--every", "0.55"], "`every` must be a multiple of dt"),
        (["--gain-cycle", "1,3"], "`--gain-cycle` must be three numbers LOW,HIGH,PERIOD"),
    ]:
        assert main(["sample", str(out), "--stream", "--out", str(tmp_path / "x.npz"), *extra]) == 2
        assert match in capsys.readouterr().err
    assert main(["sample", str(out), "--every", "1", "--out", str(tmp_path / "x.npz")]) == 2
    assert "`--every` must be used with --stream only" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


def test_the_experiment_runs_end_to_end_and_checks_its_config_first(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("cds_run", ROOT / "experiments" / "chaos_driven_sampling" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    smoke = ROOT / "experiments" / "chaos_driven_sampling" / "smoke.toml"
    folder = run.main(smoke, out=tmp_path / "out")
    res = json.loads((folder / "results.json").read_text())["result"]
    assert set(res["runs"]) == {"random", "soft_homeostasis", "pool"}
    assert all("lambda_layers" in c for c in res["runs"]["pool"]["chaos"])  # the pool option reached the network
    assert not any("lambda_layers" in c for c in res["runs"]["random"]["chaos"])
    assert set(res["indices_table"]) == {"stream", "random_starts", "stream_gain_cycle"}
    assert len(res["indices_table"]["stream"]["class_fraction"]) == 10
    for name in ("chaos_vs_age.png", "stream_strips.png", "decorrelation_vs_g.png", "class_coverage.png"):
        assert (folder / name).stat().st_size > 1000
    bad = tmp_path / "bad.toml"
    bad.write_text(smoke.read_text().replace("gain_cycle = [1.0, 2.0, 1.0]", "gain_cycle = [2.0, 1.0, 1.0]"))
    with pytest.raises(ConfigError, match="`stream.gain_cycle` must be"):
        run.main(bad, out=tmp_path / "never")
    bad.write_text(smoke.read_text().replace("n_pool = 20", "n_pol = 20"))
    with pytest.raises(ConfigError, match="`options.pool` must be a table with keys among"):
        run.main(bad, out=tmp_path / "never")
    bad.write_text(smoke.read_text().replace("n_pool = 20", "n_pool = 0"))
    with pytest.raises(ConfigError, match="model.j_scope"):
        run.main(bad, out=tmp_path / "never")
    assert not (tmp_path / "never").exists()
