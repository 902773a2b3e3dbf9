"""Durable output (issue 13): atomic sets, fsync, no umask change, stale temp files, folder locks, overwrite refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from neurochaos.errors import ConfigError, OutputLockedError
from neurochaos.io import LOCK_NAME, atomic_path, check_new, folder_lock, output_set, save_json


def test_a_failing_writer_leaves_no_target_and_no_temp_file(tmp_path):
    (tmp_path / "a.json").write_text("old")
    with pytest.raises(RuntimeError, match="plot failed"):
        with output_set([tmp_path / "a.json", tmp_path / "b.png"]) as (a, b):
            a.write_text("new")
            raise RuntimeError("plot failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]  # no b.png, no temp file
    assert (tmp_path / "a.json").read_text() == "old"


def test_atomic_writes_fsync_file_and_folder_and_never_touch_the_umask(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.fstat(fd).st_mode) or real_fsync(fd))

    def no_umask(*a):
        raise AssertionError("os.umask changes the mode of every thread's new files")

    monkeypatch.setattr(os, "umask", no_umask)
    save_json(tmp_path / "x.json", {"a": 1})
    kinds = {"file" if (m & 0o170000) == 0o100000 else "dir" for m in synced}
    assert kinds == {"file", "dir"}
    mode = (tmp_path / "x.json").stat().st_mode & 0o777
    current = int(open("/proc/self/status").read().split("Umask:")[1].split()[0], 8)
    assert mode == 0o666 & ~current


def test_temp_files_of_dead_processes_are_removed_at_the_next_write(tmp_path):
    import socket

    host = socket.gethostname().split(".")[0]
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".x.json.{host}-{pid}-0123abcd.part.json"
    alive = tmp_path / f".x.json.{host}-{os.getpid()}-0123abcd.part.json"  # a live writer's: kept
    other = tmp_path / f".x.json.otherhost-{pid}-0123abcd.part.json"  # another host's: cannot tell, kept
    for p in (stale, alive, other):
        p.write_text("half")
    with atomic_path(tmp_path / "x.json") as tmp:
        tmp.write_text("{}")
    assert not stale.exists() and alive.exists() and other.exists()


def test_check_new_refuses_existing_targets_and_unwritable_folders(tmp_path):
    (tmp_path / "x.npz").write_bytes(b"keep")
    with pytest.raises(ConfigError, match=r"`--out` must be a new path \(pass --overwrite"):
        check_new([tmp_path / "x.npz"], overwrite=False)
    check_new([tmp_path / "x.npz"], overwrite=True)
    with pytest.raises(ConfigError, match="is a file"):
        check_new([tmp_path / "x.npz" / "y.npz"], overwrite=False)
    with pytest.raises(ConfigError, match="writable folder"):
        check_new(["/proc/nope/run.npz"], overwrite=False)
    with pytest.raises(ConfigError, match="must be a file path"):
        check_new([tmp_path], overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.npz"]


HOLD = """
import sys, time
from neurochaos.io import folder_lock
with folder_lock(sys.argv[1], "training"):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_owner_is_refused_with_the_owner_named_and_a_dead_owner_is_stale(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(OutputLockedError, match=rf"in use by another training: pid {proc.pid} on host"):
            with folder_lock(out, "training"):
                pass
        info = json.loads((out / LOCK_NAME).read_text())
        assert info["pid"] == proc.pid
    finally:
        proc.kill()
        proc.wait()
    assert (out / LOCK_NAME).exists()  # SIGKILL left the lock file: stale, taken over
    with folder_lock(out, "training") as lock:
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not (out / LOCK_NAME).exists()


def test_simulate_whose_plot_fails_writes_no_data_either(tmp_path, monkeypatch, capsys):
    import neurochaos.plotting as plotting
    from neurochaos.cli import main

    def broken(*a, **k):
        raise OSError(28, "No space left on device", str(tmp_path / "x.png"))

    monkeypatch.setattr(plotting, "plot_traces", broken)
    argv = ["simulate", "chaotic_rate", "--N", "20", "--T", "1", "--no-progress"]
    assert main([*argv, "--out", str(tmp_path / "x.npz"), "--plot", str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err.strip().endswith(f"error: No space left on device: '{tmp_path / 'x.png'}'")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_during_the_write_is_one_line_exit_2_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    import numpy as np

    from neurochaos.cli import main

    def full(file, **arrays):
        raise OSError(28, "No space left on device", str(file))

    monkeypatch.setattr(np, "savez", full)
    out = tmp_path / "x.npz"
    assert main(["simulate", "chaotic_rate", "--N", "20", "--T", "1", "--no-progress", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # neither the npz, nor its json, nor a temp file


def test_overwrite_replaces_the_whole_output_set(tmp_path, capsys):
    from neurochaos.cli import main

    out = tmp_path / "x.npz"
    argv = ["simulate", "chaotic_rate", "--N", "20", "--T", "1", "--no-progress", "--out", str(out)]
    assert main(argv) == 0
    first = out.read_bytes()
    assert main([*argv, "--seed", "1"]) == 2 and out.read_bytes() == first
    assert main([*argv, "--seed", "1", "--overwrite"]) == 0 and out.read_bytes() != first
    assert json.loads((tmp_path / "x.json").read_text())["seed"] == 1


def test_a_closed_stdout_pipe_ends_quietly(tmp_path):
    code = (
        "import sys; from neurochaos.cli import main; sys.stdout.close = lambda: None; "
        "import os; r, w = os.pipe(); os.close(r); os.dup2(w, 1); sys.exit(main(['models']))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 141 and "Traceback" not in proc.stderr and "Brian 2" not in proc.stderr
