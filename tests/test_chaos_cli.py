"""``neurochaos lyapunov | dmft | autocorr``: JSON keys and clear errors."""

from __future__ import annotations

import json

import pytest

from neurochaos.cli import main


def _json(capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def test_lyapunov_json(capsys):
    d = _json(
        capsys,
        [
            "lyapunov",
            "chaotic_rate",
            "--N",
            "30",
            "--g",
            "3",
            "--seed",
            "0",
            "--exponents",
            "5",
            "--T",
            "5",
            "--transient",
            "2",
            "--json",
        ],
    )  # progress bar on stderr only
    assert {"lambda_max", "spectrum", "kaplan_yorke_dim", "entropy_rate", "settings"} <= set(d)
    assert len(d["spectrum"]) == 5 and d["lambda_max"] == d["spectrum"][0]
    assert d["settings"]["k"] == 5 and d["settings"]["N"] == 30 and d["settings"]["jacobian"] == "analytic"


def test_lyapunov_human_summary(capsys):
    assert (
        main(
            [
                "lyapunov",
                "hopfield_rate",
                "--N",
                "20",
                "--P",
                "2",
                "--exponents",
                "3",
                "--T",
                "3",
                "--transient",
                "0",
                "--no-progress",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "lambda_max" in out and "kaplan_yorke_dim" in out and "hopfield_rate" in out


def test_lyapunov_prints_every_exponent_and_writes_out_checked_before_the_run(tmp_path, capsys):
    out = tmp_path / "spectrum.json"
    argv = ["lyapunov", "chaotic_rate", "--N", "30", "--exponents", "23", "--T", "4", "--transient", "1"]
    assert main([*argv, "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    saved = json.loads(out.read_text())
    assert len(saved["spectrum"]) == 23 and len(saved["trace_t"]) == 4
    assert all(f"{v:.4f}" in text for v in saved["spectrum"])  # all 23, not the first 8
    assert main([*argv, "--out", str(out)]) == 2  # exists: refused before any work
    assert "--overwrite" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "s.txt")]) == 2
    assert "`--out` must end in .json" in capsys.readouterr().err


def test_dmft_json(capsys):
    d = _json(capsys, ["dmft", "--g", "2.0", "--n-s", "21", "--s-max", "4", "--json"])
    assert {"delta0", "s", "delta"} <= set(d)
    assert len(d["s"]) == len(d["delta"]) == 21 and d["delta"][0] == pytest.approx(d["delta0"]) and d["delta0"] > 1


def test_autocorr_json(capsys):
    d = _json(
        capsys,
        [
            "autocorr",
            "chaotic_rate",
            "--N",
            "80",
            "--g",
            "2",
            "--T",
            "10",
            "--transient",
            "2",
            "--max-lag",
            "3",
            "--json",
        ],
    )
    assert {"delta0", "s", "delta", "participation_ratio"} <= set(d)
    assert d["s"][-1] == pytest.approx(3.0) and d["delta"][0] == pytest.approx(d["delta0"])


@pytest.mark.parametrize(
    "argv, match",
    [
        (["lyapunov", "chaotic_rate", "--N", "10", "--exponents", "11"], r"`k` must be an integer in \[1, N = 10\]"),
        (["lyapunov", "chaotic_rate", "--N", "10", "--T", "0"], r"`T` must be in \(0.0, inf\), got 0.0"),
        (["lyapunov", "chaotic_rate", "--N", "10", "--t-ons", "-1"], r"`t_ons` must be"),
        (["lyapunov", "no_such_card"], r"`model` must be one of"),
        (["dmft", "--g", "2", "--model", "hopfield_rate"], r"`model` must be a random rate network"),
        (["dmft", "--g", "-1"], r"`g` must be in \[0.0, inf\)"),
        (["autocorr", "chaotic_rate", "--N", "10", "--T", "-3"], r"`T` must be in \(0.0, inf\), got -3.0"),
        (["autocorr", "chaotic_rate", "--N", "10", "--T", "5", "--transient", "-1"], r"`transient` must be"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(capsys, argv, match):
    assert main(argv + ["--json"] if argv[0] != "dmft" else argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    import re

    assert re.search(match, captured.err), captured.err


def test_non_rate_cards_are_rejected(capsys):
    from neurochaos.model import list_cards, load_card

    others = [n for n in list_cards() if load_card(n).kind != "rate"]
    if not others:
        pytest.skip("no non-rate model card installed")
    assert main(["dmft", "--g", "2", "--model", others[0]]) == 2
    assert "must be a random rate network" in capsys.readouterr().err
    assert main(["lyapunov", others[0], "--N", "20", "--T", "2", "--json"]) == 2
    assert "must be a rate model card" in capsys.readouterr().err
