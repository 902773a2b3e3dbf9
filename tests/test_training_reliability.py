"""Training that loses nothing (issue 13): one owner per folder, a checkpoint on SIGINT/SIGTERM, refused
short resumes, validated checkpoints, divergence stopped before it reaches a checkpoint, and a kill campaign."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from neurochaos.cli import main
from neurochaos.errors import CheckpointError, DivergenceError
from neurochaos.learning import TrainConfig, load_trained, train
from neurochaos.learning.checkpoint import load_checkpoint, save_checkpoint

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.fixture
def config(tmp_path, tiny_train_toml):
    p = tmp_path / "train.toml"
    p.write_text(tiny_train_toml())
    return p


def _start(config, out, steps=100000):
    """A training subprocess that aims far beyond where the test stops it."""
    cmd = [sys.executable, "-m", "neurochaos.cli", "train", str(config), "--steps", str(steps), "--no-progress"]
    return subprocess.Popen([*cmd, "--out", str(out)], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(path, proc, timeout=120):
    deadline = time.time() + timeout
    while not path.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read().decode()


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != ".neurochaos.lock"}


def test_a_second_training_on_a_busy_folder_is_refused_and_the_first_result_is_intact(
    tmp_path, config, capsys, tiny_train_toml
):
    out = tmp_path / "run"
    first = _start(config, out)
    try:
        _wait_for(out / "checkpoint.npz", first)
        other = tmp_path / "other.toml"
        other.write_text(tiny_train_toml(k=0.02))  # a different run: it must not replace the first one's files
        assert main(["train", str(other), "--out", str(out), "--resume", "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert f"is in use by another training: pid {first.pid} on host" in err and err.count("\n") == 1
        first.send_signal(signal.SIGINT)
        assert first.wait(60) == 130
    finally:
        first.kill()
    msg = first.stderr.read().decode()
    step = load_checkpoint(out / "checkpoint.npz").step
    assert f"stopped by SIGINT after step {step} of 100000; checkpoint written to" in msg
    stored = json.loads((out / "config.json").read_text())
    assert stored["training"]["k"] == 0.01 and json.loads((out / "history.json").read_text())["step"] == step


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_writes_a_final_checkpoint_and_resume_is_exact(tmp_path, config, sig, code):
    cut = tmp_path / "cut"
    proc = _start(config, cut)
    try:
        _wait_for(cut / "checkpoint.npz", proc)
        time.sleep(0.2)
        proc.send_signal(sig)
        assert proc.wait(60) == code
    finally:
        proc.kill()
    msg = proc.stderr.read().decode().strip()
    stopped = load_checkpoint(cut / "checkpoint.npz").step
    assert msg.endswith("(continue with --resume)") and f"after step {stopped} of" in msg
    total = str(stopped + 2)
    assert main(["train", str(config), "--steps", total, "--out", str(cut), "--resume", "--no-progress"]) == 0
    assert main(["train", str(config), "--steps", total, "--out", str(tmp_path / "full"), "--no-progress"]) == 0
    a, b = load_trained(cut)[0], load_trained(tmp_path / "full")[0]
    np.testing.assert_array_equal(a.A, b.A)
    np.testing.assert_array_equal(a.bias, b.bias)


def test_resume_with_fewer_steps_than_done_is_refused_and_changes_nothing(tmp_path, config, capsys):
    out = tmp_path / "run"
    assert main(["train", str(config), "--out", str(out), "--steps", "4", "--no-progress"]) == 0
    before = _snapshot(out)
    assert main(["train", str(config), "--out", str(out), "--steps", "2", "--resume", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "`training.steps` must be >= the checkpoint's step 4 when resuming" in err and "got 2" in err
    assert _snapshot(out) == before


def test_a_checkpoint_with_a_negative_step_or_late_history_does_not_load(tmp_path, config):
    out = tmp_path / "run"
    assert main(["train", str(config), "--out", str(out), "--steps", "1", "--no-progress"]) == 0
    ck = load_checkpoint(out / "checkpoint.npz")
    for field, value, match in [
        ("step", -7, r"`step` must be an integer >= 0 \(training steps done\), got -7"),
        ("history", [{"step": 9, "E2": 0.1}], r"`history` must be records of steps 0..1"),
        ("chains", np.zeros((3, 5)), r"`chains` must be finite persistent states of shape \(M, 72\)"),
    ]:
        bad = tmp_path / f"bad_{field}.npz"
        save_checkpoint(bad, type(ck)(**{**ck.__dict__, field: value}))
        with pytest.raises(CheckpointError, match=match):
            load_checkpoint(bad)


@pytest.mark.parametrize("k", ["1e300", "1e308"])
def test_an_overflowing_learning_rate_stops_with_a_divergence_error_naming_k(tmp_path, k, capsys, tiny_train_toml):
    cfg = tmp_path / "train.toml"
    cfg.write_text(tiny_train_toml(k=k))
    out = tmp_path / "run"
    assert main(["train", str(cfg), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert (
        "training diverged at step 1: max |A|, |bias| =" in err and f"`training.k` = {float(k):g} is too large" in err
    )
    assert "no checkpoint was written" in err
    assert not out.exists()  # the failed first run leaves no folder behind


def test_divergence_never_overwrites_the_last_good_checkpoint(tmp_path, config, monkeypatch):
    import neurochaos.learning.trainer as trainer

    calls = []
    real = trainer.apply_contrastive

    def explode_at_step_4(A, bias, *args):
        calls.append(1)
        A, bias = real(A, bias, *args)
        return (np.full_like(A, np.inf), bias) if len(calls) == 4 else (A, bias)

    monkeypatch.setattr(trainer, "apply_contrastive", explode_at_step_4)
    cfg = TrainConfig.from_dict({**_toml(config), "training": {**_toml(config)["training"], "steps": 6}})
    out = tmp_path / "run"
    with pytest.raises(DivergenceError, match=r"at step 4: .* last good checkpoint is .*checkpoint.npz \(step 3\)"):
        train(cfg, out, progress=False)
    ck = load_checkpoint(out / "checkpoint.npz")
    assert ck.step == 3 and np.isfinite(ck.A).all()
    assert json.loads((out / "history.json").read_text())["step"] == 3


def _toml(path):
    import tomllib

    return tomllib.loads(path.read_text())


def test_train_checks_the_device_before_writing_anything(tmp_path, config, capsys):
    out = tmp_path / "run"
    assert main(["train", str(config), "--out", str(out), "--device", "foo", "--no-progress"]) == 2
    assert "`device` must be a torch device" in capsys.readouterr().err
    assert not out.exists()


def test_kill_campaign_sigkill_and_sigint_at_random_moments_resume_bit_identical(tmp_path, config):
    """Trials (NEUROCHAOS_KILL_TRIALS, default 4) alternate SIGKILL and SIGINT at a random moment after the first
    checkpoint; each run is resumed 2 steps past its stop and compared with one uninterrupted reference run."""
    trials = int(os.environ.get("NEUROCHAOS_KILL_TRIALS", "4"))
    rng = random.Random(13)
    stops = []
    for i in range(trials):
        sig = signal.SIGKILL if i % 2 == 0 else signal.SIGINT
        cut = tmp_path / f"cut{i}"
        proc = _start(config, cut)
        try:
            _wait_for(cut / "checkpoint.npz", proc)
            time.sleep(rng.uniform(0.0, 0.6))
            proc.send_signal(sig)
            code = proc.wait(60)
        finally:
            proc.kill()
        assert code == (-9 if sig == signal.SIGKILL else 130), proc.stderr.read().decode()
        stopped = load_checkpoint(cut / "checkpoint.npz").step
        assert not [p for p in cut.iterdir() if ".part" in p.name] or sig == signal.SIGKILL
        assert (
            main(["train", str(config), "--steps", str(stopped + 2), "--out", str(cut), "--resume", "--no-progress"])
            == 0
        )
        assert not [p for p in cut.iterdir() if ".part" in p.name]  # stale temp files were removed
        stops.append((cut, stopped + 2))
    reference = {}
    cfg = TrainConfig.from_dict(
        {**_toml(config), "training": {**_toml(config)["training"], "steps": max(s for _, s in stops)}}
    )
    train(cfg, tmp_path / "reference", progress=False, callback=lambda step, net: reference.update({step: net}))
    worst = 0.0
    for cut, step in stops:
        a = load_trained(cut)[0]
        worst = max(
            worst, float(np.abs(a.A - reference[step].A).max()), float(np.abs(a.bias - reference[step].bias).max())
        )
    assert worst == 0.0
