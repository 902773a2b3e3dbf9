"""The chaotic-generation experiment end to end on its smoke config (sklearn digits, a few steps)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

EXP = Path(__file__).resolve().parents[1] / "experiments" / "chaotic_generation"


@pytest.fixture
def run_module():
    sys.path.insert(0, str(EXP))
    try:
        import run

        yield run
    finally:
        sys.path.remove(str(EXP))


def test_smoke_experiment_writes_figures_indices_and_comparison(tmp_path, run_module):
    out = run_module.main(EXP / "smoke.toml", out=tmp_path, progress=False)
    for name in (
        "fig2_digits.png",
        "fig3_digits_restricted2.png",
        "fig4_digits.png",
        "fig5_digits.png",
        "digits_comparison.md",
        "summary.json",
    ):
        assert (out / name).stat().st_size > 0, name
    r2 = json.loads((out / "digits_restricted2.json").read_text())
    assert r2["steps"] == 6
    assert [h["step"] for h in r2["history"]] == [0, 2, 4, 6]
    assert r2["lambda_max_vs_age"]["steps"] == [0, 2, 4, 6]
    assert set(r2["final"]["test"]) == {"E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn"}
    assert set(r2["indices_vs_readout_time"]) == {"10", "20"}
    table = (out / "digits_comparison.md").read_text()
    assert "restricted2" in table and "unrestricted" in table


def test_unknown_experiment_key_is_rejected(tmp_path, run_module):
    bad = tmp_path / "bad.toml"
    bad.write_text('[experiment]\narchitectures = ["restricted2"]\nsample_count = 3\n')
    with pytest.raises(ValueError, match="sample_count"):
        run_module.main(bad, out=tmp_path)
