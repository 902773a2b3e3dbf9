"""Trainer checkpoints: one ``.npz`` written atomically, read back with every problem a CheckpointError.

A checkpoint holds the learned weights A and biases, the frozen J0, the step,
the draw policy, the persistent chains (if any), the evaluation
history and the resolved config, so that a resumed run continues exactly.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import CheckpointError
from ..io import atomic_path

__all__ = ["Checkpoint", "save_checkpoint", "load_checkpoint", "CHECKPOINT_FORMAT"]

CHECKPOINT_FORMAT = "neurochaos-contrastive-hebbian-2"  # 2: per-step draws (learning.draws), no generator state
_KEYS = ("format", "config", "step", "A", "bias", "J0", "chains", "rng_state", "history")


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """The content of a checkpoint.

    Attributes
    ----------
    config : dict, the resolved TrainConfig as nested dicts
    step : training steps done
    A : ndarray (N, N), learned coupling; bias : ndarray (N,); J0 : ndarray (N, N), frozen coupling
    chains : ndarray (M, N) persistent free chains, or None
    rng_state : dict, the draw policy and training seed (``{"policy": DRAW_POLICY, "seed": s}``,
        :mod:`neurochaos.learning.draws`): every step's draws follow from them and the step
    history : list of dicts, the indices measured so far (``step`` plus the index names)
    """

    config: dict
    step: int
    A: np.ndarray
    bias: np.ndarray
    J0: np.ndarray
    chains: np.ndarray | None
    rng_state: dict
    history: list


def save_checkpoint(path: str | Path, ckpt: Checkpoint) -> Path:
    """Write ``ckpt`` to ``path`` atomically (the old file stays intact until the new one is complete)."""
    chains = np.zeros((0, ckpt.A.shape[0])) if ckpt.chains is None else np.asarray(ckpt.chains)
    with atomic_path(path, ".npz") as tmp:
        np.savez(
            tmp,
            format=np.array(CHECKPOINT_FORMAT),
            config=np.array(json.dumps(ckpt.config)),
            step=np.array(int(ckpt.step)),
            A=ckpt.A,
            bias=ckpt.bias,
            J0=ckpt.J0,
            chains=chains,
            rng_state=np.array(json.dumps(ckpt.rng_state)),
            history=np.array(json.dumps(ckpt.history)),
        )
    return Path(path)


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint; a missing, truncated or foreign file raises :class:`CheckpointError`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"`checkpoint` must be an existing file, got {str(path)!r}")
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in _KEYS if k not in z.files]
            if missing:
                raise CheckpointError(f"checkpoint {path} is not a trainer checkpoint: missing {missing}")
            fmt = str(z["format"])
            if fmt != CHECKPOINT_FORMAT:
                raise CheckpointError(f"checkpoint {path} has format {fmt!r}, expected {CHECKPOINT_FORMAT!r}")
            chains = z["chains"]
            ckpt = Checkpoint(
                config=json.loads(str(z["config"])),
                step=int(z["step"]),
                A=np.array(z["A"]),
                bias=np.array(z["bias"]),
                J0=np.array(z["J0"]),
                chains=None if chains.shape[0] == 0 else chains,
                rng_state=json.loads(str(z["rng_state"])),
                history=json.loads(str(z["history"])),
            )
    except CheckpointError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise CheckpointError(f"checkpoint {path} is corrupt or unreadable ({type(exc).__name__}: {exc})") from exc
    N = ckpt.A.shape[0] if ckpt.A.ndim == 2 else -1
    if N < 1 or ckpt.A.shape != (N, N) or ckpt.J0.shape != (N, N) or ckpt.bias.shape != (N,):
        raise CheckpointError(
            f"checkpoint {path} has inconsistent shapes: A {ckpt.A.shape}, J0 {ckpt.J0.shape}, bias {ckpt.bias.shape}"
        )
    for name in ("A", "bias", "J0"):
        if not np.all(np.isfinite(getattr(ckpt, name))):
            raise CheckpointError(f"checkpoint {path} holds non-finite values in `{name}`")
    return ckpt
