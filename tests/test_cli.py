"""The `neurochaos` command line: outputs, exit codes, no partial files."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from neurochaos.cli import main


def test_simulate_writes_t_and_x_with_documented_shapes(tmp_path, capsys):
    out = tmp_path / "run.npz"
    png = tmp_path / "run.png"
    rc = main(
        [
            "simulate",
            "chaotic_rate",
            "--N",
            "40",
            "--g",
            "1.5",
            "--T",
            "2",
            "--dt",
            "0.1",
            "--chains",
            "3",
            "--record-every",
            "2",
            "--out",
            str(out),
            "--plot",
            str(png),
            "--no-progress",
        ]
    )
    assert rc == 0
    with np.load(out) as f:
        assert f["t"].shape == (10,)
        assert f["x"].shape == (10, 3, 40)
        np.testing.assert_allclose(f["t"][:2], [0.0, 0.2])
    assert png.stat().st_size > 1000
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["seed"] == 0 and meta["gain"] == {"type": "ConstantGain", "value": 1.5}
    assert str(out) in capsys.readouterr().out


def test_simulate_is_reproducible_from_the_seed(tmp_path):
    for name in ("a", "b"):
        main(
            [
                "simulate",
                "mixed_rate",
                "--N",
                "30",
                "--T",
                "1",
                "--seed",
                "7",
                "--out",
                str(tmp_path / f"{name}.npz"),
                "--no-progress",
            ]
        )
    with np.load(tmp_path / "a.npz") as a, np.load(tmp_path / "b.npz") as b:
        np.testing.assert_array_equal(a["x"], b["x"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["simulate", "nope", "--out", "X"], "`model` must be one of"),
        (["simulate", "chaotic_rate", "--N", "0", "--out", "X"], "`N` must be an integer >= 1, got 0"),
        (["simulate", "chaotic_rate", "--g", "-1", "--out", "X"], "`g` must be in [0.0, inf), got -1.0"),
        (["simulate", "chaotic_rate", "--dt", "1", "--out", "X"], "`dt` must be in (0.0, 1.0), got 1.0"),
        (["simulate", "chaotic_rate", "--executor", "jax", "--out", "X"], "`executor` must be one of"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "out.npz"
    args = [a if a != "X" else str(out) for a in args] + ["--no-progress"]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_models_lists_every_card_with_parameters(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("chaotic_rate", "hopfield_rate", "mixed_rate"):
        assert name in out
    assert "tau_ms=10.0" in out


def test_models_shows_a_named_card_in_full_and_refuses_an_unknown_one(capsys):
    assert main(["models", "mixed_rate"]) == 0
    out = capsys.readouterr().out
    assert "neuron equations:" in out and "dx/dt" in out and "pathway struct -> I_struct (recipe hopfield" in out
    assert "pathway rand -> I_rand" in out and "(summed)" in out and "model cards in" not in out
    assert main(["models", "no_such_card"]) == 2
    assert "`model` must be one of" in capsys.readouterr().err


def test_console_script_entry_point_runs():
    res = subprocess.run(
        [sys.executable, "-m", "neurochaos.cli", "simulate", "chaotic_rate", "--N", "0", "--out", "never.npz"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2
    assert "`N` must be an integer >= 1" in res.stderr


def test_outputs_get_the_usual_file_permissions(tmp_path):
    import os

    from neurochaos.io import save_json

    umask = os.umask(0o022)
    try:
        path = save_json(tmp_path / "a.json", {"a": 1})
    finally:
        os.umask(umask)
    assert (path.stat().st_mode & 0o777) == 0o644


def _subparsers():
    from neurochaos.cli import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return sub.choices


def test_one_name_per_concept_and_times_in_tau_in_every_command():
    times = {"T", "dt", "transient", "t", "period", "max_lag", "s_max", "t_ons"}
    seen = {}
    for name, p in _subparsers().items():
        flags = {o for a in p._actions for o in a.option_strings}
        assert "--patterns" not in flags and "--backend" not in flags, name  # --P and --executor
        for a in p._actions:
            if a.dest in times and a.option_strings:
                assert "tau" in (a.help or ""), (name, a.dest, a.help)
            for flag in a.option_strings:
                if flag in ("--N", "--g", "--P", "--seed", "--device", "--dtype", "--json", "--no-progress"):
                    seen.setdefault(flag, set()).add(a.dest)
    assert all(len(d) == 1 for d in seen.values()), seen  # the same flag always fills the same field


def test_only_neurochaos_errors_are_user_errors(monkeypatch, capsys):
    import neurochaos.cli.models as models
    from neurochaos.errors import ConfigError

    def bad_config(args):
        raise ConfigError("`x` must be 1, got 2")

    monkeypatch.setattr(models, "run", bad_config)
    assert main(["models"]) == 2 and "error: `x` must be 1, got 2" in capsys.readouterr().err

    def bug(args):
        raise ValueError("a programming error")

    monkeypatch.setattr(models, "run", bug)
    assert main(["models"]) == 1  # a bug: exit 1, one line, not a user error
    err = capsys.readouterr().err
    assert err == (
        "neurochaos models: internal error (a bug, please report it): ValueError: a programming error; "
        "run with -v for the traceback\n"
    )
    for argv in (["-v", "models"], ["models", "-v"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "Traceback (most recent call last)" in err and err.rstrip().endswith("ValueError: a programming error")
