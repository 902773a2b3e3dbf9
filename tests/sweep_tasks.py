"""Sweep tasks used by tests/test_sweep.py; the workers import them (the tests put this folder on PYTHONPATH)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def sleepy(*, x: int, seconds: float = 1.5, pids: str = "", seed: int = 0) -> dict:
    """Write ``<pids>/<x>-<pid>`` (so a test can kill this worker), sleep, return 2 x."""
    if pids:
        Path(pids).mkdir(parents=True, exist_ok=True)
        (Path(pids) / f"{x}-{os.getpid()}").write_text(str(seed))
    time.sleep(seconds)
    return {"y": 2 * x, "pid": os.getpid()}


def seeded(*, a: int, b: str = "u", c: float = 0.0, seed: int) -> dict:
    """A draw from the point's seed, and what it was given."""
    import numpy as np

    return {"draw": float(np.random.default_rng(seed).random()), "seed_seen": seed, "b_seen": b, "c_seen": c}


def untyped(*, a, seed=0) -> dict:
    return {"a_doubled": a * 2}


def returns_array(*, a: int) -> dict:
    import numpy as np

    return {"v": np.arange(3)} if a == 1 else {"v": 1.0}


def dies_on(*, x: int, bad: int = 1) -> dict:
    """SIGKILL its own worker process at x == bad (every time it is tried)."""
    import signal

    if x == bad:
        os.kill(os.getpid(), signal.SIGKILL)
    return {"y": x}
