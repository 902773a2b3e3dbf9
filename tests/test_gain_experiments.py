"""Smoke runs of experiments/gain_modulation and experiments/chaotic_generator, plus the generator pieces."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from neurochaos.errors import ConfigError
from neurochaos.generators import GANConfig, generate_images, sparse_projection, train_gan

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"exp_{name}", EXPERIMENTS / name / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_gain_modulation_smoke(tmp_path):
    run = _load("gain_modulation")
    folder = run.main(EXPERIMENTS / "gain_modulation" / "smoke.toml", out=tmp_path)
    for png in ("fig4cd_heatmaps.png", "fig4e_gain_cycle.png", "fig4e_memories_over_cycles.png", "sweep_vs_g.png"):
        assert (folder / png).stat().st_size > 1000
    ret = json.loads((folder / "results" / "retrieval.json").read_text())["result"]
    assert ret["by_structure"]["structure=3"]["starts"] == 4
    cal = json.loads((folder / "results" / "calibration.json").read_text())["result"]["rows"]
    assert [(r["structure"], r["g"]) for r in cal] == [(3.0, 0.0), (3.0, 8.0)]
    assert cal[1]["moving"] == 1.0 and (folder / "calibration_structure.png").stat().st_size > 1000
    table = json.loads((folder / "results" / "table.json").read_text())["result"]["rows"]
    assert [r["g_high"] for r in table] == [2.0, 8.0]
    sweep = json.loads((folder / "results" / "sweep.json").read_text())["result"]["rows"]
    g0 = [r for r in sweep if r["g"] == 0.0][0]
    assert g0["decorrelation_censored"] and g0["time_in_memory"] == 1.0


def test_gain_modulation_config_rejects_unknown_keys(tmp_path):
    run = _load("gain_modulation")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (EXPERIMENTS / "gain_modulation" / "smoke.toml").read_text().replace("[fig4e]", "[fig4e]\nspeed = 2")
    )
    with pytest.raises(ConfigError, match=r"`fig4e` keys must be among .*, got unknown \['speed'\]"):
        run.main(bad, out=tmp_path)


def test_chaotic_generator_smoke(tmp_path):
    run = _load("chaotic_generator")
    folder = run.main(EXPERIMENTS / "chaotic_generator" / "smoke.toml", out=tmp_path)
    res = json.loads((folder / "results" / "digits.json").read_text())["result"]
    assert set(res["by_gain"]) == {"2", "8"}
    for g in ("2", "8"):
        assert set(res["by_gain"][g]["indices"]) >= {"E2", "Es", "ER", "EAAI"}
    assert "indices" in res["gaussian_control"]
    summary = json.loads((folder / "results" / "run.json").read_text())
    assert set(summary["datasets"]) | set(summary["skipped"]) == {"digits", "fashion-mnist"}
    assert (folder / "fig3_consecutive_digits.png").stat().st_size > 1000


def test_sparse_projection_reads_disjoint_units():
    P = sparse_projection(64, 500, fan_in=4, seed=0)
    assert ((P != 0).sum(axis=1) == 4).all()
    assert (P != 0).sum(axis=0).max() == 1
    np.testing.assert_allclose(np.abs(P[P != 0]), 0.5)
    assert not np.array_equal(P, sparse_projection(64, 500, fan_in=4, seed=1))
    with pytest.raises(ConfigError, match=r"`fan_in` must be <= N = 5"):
        sparse_projection(2, 5, fan_in=6)


def test_gan_trains_and_rejects_bad_images():
    rng = np.random.default_rng(0)
    images = np.where(rng.random((64, 64)) > 0.5, 1.0, -1.0)
    z = rng.normal(size=(100, 5))
    trained = train_gan(images, z, (8, 8), GANConfig(width=4, epochs=1, batch_size=16))
    out = generate_images(trained, z[:6].reshape(2, 3, 5))
    assert out.shape == (2, 3, 64) and np.abs(out).max() < 1
    with pytest.raises(ConfigError, match=r"`image_shape` must be \(h, w\) with h and w multiples of 4"):
        train_gan(np.zeros((4, 49)), z, (7, 7))
    with pytest.raises(ConfigError, match=r"`images` must be in \[-1, 1\]"):
        train_gan(2 * images, z, (8, 8))
    with pytest.raises(ConfigError, match=r"`latents` must be an array of shape \(\.\.\., 5\)"):
        generate_images(trained, np.zeros((3, 4)))
