"""experiments/chaos_transition on its smoke config."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from neurochaos.errors import ConfigError

RUN = Path(__file__).resolve().parents[1] / "experiments" / "chaos_transition" / "run.py"


def _module():
    spec = importlib.util.spec_from_file_location("chaos_transition_run", RUN)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the file executes
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_smoke_run_writes_figures_results_and_acceptance(tmp_path):
    mod = _module()
    out = mod.main(RUN.parent / "smoke.toml", tmp_path / "out", progress=False)
    for fig in (
        "traces",
        "sensitivity",
        "sensitivity_3d",
        "lambda_vs_g",
        "autocorr_vs_dmft",
        "spectrum_extensive",
        "crosscheck",
    ):
        assert (out / f"{fig}.png").stat().st_size > 1000
    res = out / "results"
    acc = json.loads((res / "acceptance.json").read_text())
    assert {"delta0_within_5pct", "qr_vs_two_trajectories_within_5pct", "lambda_sign", "seconds"} <= set(acc)
    assert acc["qr_vs_two_trajectories_within_5pct"]["N"] == 40
    cfg = json.loads((res / "config.json").read_text())
    assert cfg["lambda_vs_g"]["sizes"] == [20, 40] and cfg["dt"] == 0.1
    lam = json.loads((res / "lambda_vs_g.json").read_text())
    assert len(lam["sizes"]["40"]["lambda_max"]) == 3  # one row per gain
    assert lam["sizes"]["40"]["median"][0] < 0  # g = 0.5: the fixed point is stable


def test_unknown_config_key_is_an_error(tmp_path):
    mod = _module()
    bad = tmp_path / "bad.toml"
    bad.write_text("[traces]\nN = 10\ncolour = 'red'\n")
    with pytest.raises(ConfigError, match=r"`traces` keys must be among .* got unknown \['colour'\]"):
        mod.load_config(bad)
    bad.write_text("[lambda_vs_g]\nsizes = [10, 20]\nn_seeds = [2]\n")
    with pytest.raises(ConfigError, match="one entry per size"):
        mod.load_config(bad)


@pytest.mark.slow
def test_lambda_vs_g_through_a_sweep_is_resumable(tmp_path):
    """workers >= 1: the lambda_vs_g grid runs as neurochaos sweeps (one per size); a rerun runs no task."""
    pytest.importorskip("distributed")
    from dataclasses import replace

    mod = _module()
    c = mod.load_config(RUN.parent / "smoke.toml")
    c = replace(c, lambda_vs_g=replace(c.lambda_vs_g, sizes=(20,), n_seeds=(2,), workers=1))
    first = mod.run_lambda_vs_g(c, tmp_path, progress=False)
    assert first["sweep"]["folders"]["20"] == {"folder": "lambda_sweep_N20", "points": 6, "run_now": 6}
    lam = first["sizes"]["20"]["lambda_max"]
    assert len(lam) == 3 and all(len(row) == 2 for row in lam)
    assert max(lam[0]) < 0  # g = 0.5: the fixed point is stable
    assert (tmp_path / "lambda_vs_g.png").stat().st_size > 1000
    again = mod.run_lambda_vs_g(c, tmp_path, progress=False)
    assert again["sweep"]["folders"]["20"]["run_now"] == 0
    assert again["sizes"]["20"]["lambda_max"] == lam
    with pytest.raises(ConfigError, match="lambda_vs_g.workers"):
        replace(c.lambda_vs_g, workers=-1)
