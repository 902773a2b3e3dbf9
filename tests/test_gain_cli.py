"""``neurochaos gain-cycle``: JSON summary, plot, errors with exit code 2."""

from __future__ import annotations

import json

from neurochaos.cli import build_parser, main


def test_parser_has_gain_cycle():
    args = build_parser().parse_args(["gain-cycle", "mixed_rate"])
    assert args.command == "gain-cycle" and args.N == 200 and args.P == 10 and args.g_high == 8.0


def test_gain_cycle_prints_json_and_draws_the_overlaps(tmp_path, capsys):
    png = tmp_path / "overlaps.png"
    argv = ["gain-cycle", "mixed_rate", "--N", "40", "--P", "3", "--g-low", "1", "--g-high", "8"]
    argv += ["--period", "4", "--cycles", "2", "--seed", "0", "--json", "--plot", str(png)]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("memories_visited", "switches_per_tau", "overlaps_final", "memories_per_cycle", "settings"):
        assert key in out
    assert len(out["overlaps_final"][0]) == 3
    assert out["settings"]["cycle"] == {"low": 1.0, "high": 8.0, "period": 4.0, "duty": 0.5, "cycles": 2}
    assert png.stat().st_size > 1000


def test_gain_cycle_bad_input_exits_2_with_the_reason(tmp_path, capsys):
    assert main(["gain-cycle", "mixed_rate", "--N", "20", "--P", "20", "--json"]) == 2
    assert "`P` must be < N = 20" in capsys.readouterr().err
    assert main(["gain-cycle", "mixed_rate", "--N", "20", "--P", "2", "--g-high", "-1", "--json"]) == 2
    assert "`g_high` must be in [0.0, inf), got -1.0" in capsys.readouterr().err
    assert main(["gain-cycle", "chaotic_rate", "--N", "20", "--json"]) == 2
    assert "hopfield pathway" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
