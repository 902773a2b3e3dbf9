"""CLI ``neurochaos train`` / ``neurochaos sample``: outputs, refusal to overwrite, resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from neurochaos.cli import main
from neurochaos.learning import load_trained


@pytest.fixture
def config(tmp_path, tiny_train_toml):
    p = tmp_path / "train.toml"
    p.write_text(tiny_train_toml())
    return p


def test_train_then_sample_writes_pm1_samples(tmp_path, config, capsys):
    out = tmp_path / "run"
    assert main(["train", str(config), "--out", str(out), "--no-progress"]) == 0
    assert (out / "checkpoint.npz").exists() and str(out / "checkpoint.npz") in capsys.readouterr().out
    samples = tmp_path / "s.npz"
    assert main(["sample", str(out), "--n", "7", "--t", "2", "--out", str(samples)]) == 0  # tau (10 ms)
    with np.load(samples) as z:
        assert z["samples"].shape == (7, 64) and set(np.unique(z["samples"])) <= {-1.0, 1.0}
        assert float(z["t_ms"]) == 20.0 and float(z["t"]) == 2.0 and int(z["step"]) == 3


def test_samples_record_their_dataset_and_evaluate_uses_it(tmp_path, config, capsys):
    import json

    out = tmp_path / "run"
    assert main(["train", str(config), "--out", str(out), "--no-progress"]) == 0
    samples = tmp_path / "s.npz"
    assert main(["sample", str(out), "--n", "40", "--out", str(samples)]) == 0
    with np.load(samples) as z:
        assert str(z["dataset"]) == "digits" and str(z["data_encoding"]) == "pm1"
    capsys.readouterr()
    assert main(["evaluate", str(samples), "--json"]) == 0  # no --data: the recorded digits, not mnist
    res = json.loads(capsys.readouterr().out)
    assert res["data"] == "digits" and res["n_samples"] == 40
    bare = tmp_path / "bare.npz"
    np.savez(bare, samples=np.ones((5, 64)))
    assert main(["evaluate", str(bare)]) == 2
    assert "`data` must be given" in capsys.readouterr().err


def test_train_takes_n_visible_from_the_data_when_the_config_leaves_it_out(tmp_path, tiny_train_toml):
    cfg = tmp_path / "no_nv.toml"
    cfg.write_text(tiny_train_toml().replace("n_visible = 64\n", ""))
    assert "n_visible" not in cfg.read_text()
    out = tmp_path / "run"
    assert main(["train", str(cfg), "--out", str(out), "--steps", "2", "--no-progress"]) == 0
    net, stored, _ = load_trained(out)
    assert stored.model.n_visible == 64 and net.n_visible == 64  # the digits' 8 x 8 pixels, not the card's 784
    assert main(["train", str(cfg), "--out", str(out), "--resume", "--no-progress"]) == 0  # same config on resume


def test_sample_shows_progress_unless_quiet(tmp_path, config, capsys):
    out = tmp_path / "run"
    assert main(["-q", "train", str(config), "--out", str(out), "--steps", "1"]) == 0
    assert "train" not in capsys.readouterr().err  # -q: the training bar is hidden too
    argv = ["sample", str(out), "--n", "20", "--out", str(tmp_path / "s.npz"), "--overwrite"]
    assert main(argv) == 0
    assert "generate" in capsys.readouterr().err  # the bar, on stderr
    for quiet in (["-q", *argv], [*argv, "--no-progress"]):
        assert main(quiet) == 0
        assert "generate" not in capsys.readouterr().err
    evaluate = ["evaluate", str(tmp_path / "s.npz")]
    assert main(evaluate) == 0
    assert "indices of 20 vs" in capsys.readouterr().err  # evaluate's stage bar
    for quiet in (["-q", *evaluate], [*evaluate, "--no-progress"]):
        assert main(quiet) == 0
        assert "indices of" not in capsys.readouterr().err


def test_train_refuses_to_overwrite_and_reports_bad_input(tmp_path, config, capsys):
    out = tmp_path / "run"
    assert main(["train", str(config), "--out", str(out), "--steps", "1", "--no-progress"]) == 0
    before = (out / "checkpoint.npz").read_bytes()
    assert main(["train", str(config), "--out", str(out), "--no-progress"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["train", str(config), "--out", str(out), "--data", "no-such-set", "--resume", "--no-progress"]) == 2
    assert main(["sample", str(tmp_path / "missing"), "--out", str(tmp_path / "s.npz")]) == 2
    assert "checkpoint" in capsys.readouterr().err
    assert main(["sample", str(out), "--t", "0", "--out", str(tmp_path / "s.npz")]) == 2  # times in tau, > 0
    assert "`--t` must be in (0.0, inf)" in capsys.readouterr().err
    assert main(["sample", str(out), "--out", str(tmp_path / "s.txt")]) == 2
    assert "`--out` must end in .npz" in capsys.readouterr().err
    assert not (tmp_path / "s.npz").exists()
    assert (out / "checkpoint.npz").read_bytes() == before


@pytest.mark.slow
def test_resume_after_sigkill_matches_an_uninterrupted_run(tmp_path, config):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    # the killed run aims far beyond where it is killed, so it cannot finish first on a fast machine
    cmd = [sys.executable, "-m", "neurochaos.cli", "train", str(config), "--steps", "100000", "--no-progress"]
    cut = tmp_path / "cut"
    proc = subprocess.Popen([*cmd, "--out", str(cut)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while not (cut / "checkpoint.npz").exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)
    assert proc.poll() is None, proc.stderr.read().decode()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = load_trained(cut)[2].step
    assert killed_at >= 1
    total = str(killed_at + 5)  # resume past the kill; the uninterrupted run goes just as far
    assert main(["train", str(config), "--steps", total, "--out", str(cut), "--resume", "--no-progress"]) == 0
    assert main(["train", str(config), "--steps", total, "--out", str(tmp_path / "full"), "--no-progress"]) == 0
    a, b = load_trained(cut)[0], load_trained(tmp_path / "full")[0]
    assert load_trained(cut)[2].step == killed_at + 5
    np.testing.assert_array_equal(a.A, b.A)
    np.testing.assert_array_equal(a.bias, b.bias)
