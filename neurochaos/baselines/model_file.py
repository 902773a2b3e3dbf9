"""One ``.npz`` per trained baseline: its config (a dataclass), arrays, training loss and wall time."""

from __future__ import annotations

import ast
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..io import atomic_path

__all__ = ["save_model_npz", "load_model_npz"]


def save_model_npz(path, config, loss, seconds: float, arrays: dict) -> Path:
    """Write ``config`` (a dataclass of literals), ``loss``, ``seconds`` and ``arrays`` to ``path`` atomically."""
    with atomic_path(path, ".npz") as tmp:
        np.savez(tmp, config=np.array(repr(asdict(config))), loss=np.asarray(loss), seconds=np.array(seconds), **arrays)
    return Path(path)


def load_model_npz(path, config_cls):
    """Read a file of :func:`save_model_npz`: (config, {name: array}, loss list, seconds)."""
    with np.load(path, allow_pickle=False) as z:
        config = config_cls(**ast.literal_eval(str(z["config"])))
        arrays = {k: np.array(z[k]) for k in z.files if k not in ("config", "loss", "seconds")}
        return config, arrays, list(z["loss"]), float(z["seconds"])
