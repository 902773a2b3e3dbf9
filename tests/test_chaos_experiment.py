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
