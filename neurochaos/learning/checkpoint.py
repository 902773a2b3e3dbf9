"""Trainer checkpoints: one ``.npz`` written atomically, read back with every problem a CheckpointError.

A checkpoint holds the learned weights A and biases, the frozen J0, the step,
the draw policy, the persistent chains (if any), the evaluation
history and the resolved config, so that a resumed run continues exactly.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import CheckpointError
from ..io import atomic_path
from ..loading import load_npz

__all__ = ["Checkpoint", "save_checkpoint", "write_checkpoint", "load_checkpoint", "CHECKPOINT_FORMAT"]

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
    g : the gain of the frozen coupling at this step (chaos homeostasis changes it; None: the config's)
    chaos : list of dicts, the chaos measures so far (``step`` plus :func:`~neurochaos.learning.chaos.chaos_probe`'s)
    """

    config: dict
    step: int
    A: np.ndarray
    bias: np.ndarray
    J0: np.ndarray
    chains: np.ndarray | None
    rng_state: dict
    history: list
    g: float | None = None
    chaos: list = dataclasses.field(default_factory=list)


def write_checkpoint(file: str | Path, ckpt: Checkpoint) -> None:
    """Write ``ckpt`` into ``file`` (a path ending in .npz) directly; :func:`save_checkpoint` is the atomic form."""
    chains = np.zeros((0, ckpt.A.shape[0])) if ckpt.chains is None else np.asarray(ckpt.chains)
    np.savez(
        file,
        format=np.array(CHECKPOINT_FORMAT),
        config=np.array(json.dumps(ckpt.config)),
        step=np.array(int(ckpt.step)),
        A=ckpt.A,
        bias=ckpt.bias,
        J0=ckpt.J0,
        chains=chains,
        rng_state=np.array(json.dumps(ckpt.rng_state)),
        history=np.array(json.dumps(ckpt.history)),
        g=np.array(np.nan if ckpt.g is None else float(ckpt.g)),
        chaos=np.array(json.dumps(ckpt.chaos)),
    )


def save_checkpoint(path: str | Path, ckpt: Checkpoint) -> Path:
    """Write ``ckpt`` to ``path`` atomically (the old file stays intact until the new one is complete)."""
    with atomic_path(path, ".npz") as tmp:
        write_checkpoint(tmp, ckpt)
    return Path(path)


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint; a missing, truncated or foreign file raises :class:`CheckpointError`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"`checkpoint` must be an existing file, got {str(path)!r}")
    z = load_npz(path, "checkpoint", required=_KEYS, cls=CheckpointError)  # a foreign file: one clear line
    fmt = str(z["format"])
    if fmt != CHECKPOINT_FORMAT:
        raise CheckpointError(f"checkpoint {path} has format {fmt!r}, expected {CHECKPOINT_FORMAT!r}")
    try:
        ckpt = Checkpoint(
            config=json.loads(str(z["config"])),
            step=int(z["step"]),
            A=np.array(z["A"], dtype=float),
            bias=np.array(z["bias"], dtype=float),
            J0=np.array(z["J0"], dtype=float),
            chains=None if z["chains"].shape[0] == 0 else np.array(z["chains"], dtype=float),
            rng_state=json.loads(str(z["rng_state"])),
            history=json.loads(str(z["history"])),
            g=float(z["g"]) if "g" in z and np.isfinite(z["g"]) else None,  # optional: older checkpoints lack it
            chaos=json.loads(str(z["chaos"])) if "chaos" in z else [],
        )
    except (ValueError, TypeError, IndexError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"checkpoint {path} is corrupt or unreadable ({type(exc).__name__}: {exc})") from exc
    N = ckpt.A.shape[0] if ckpt.A.ndim == 2 else -1
    if N < 1 or ckpt.A.shape != (N, N) or ckpt.J0.shape != (N, N) or ckpt.bias.shape != (N,):
        raise CheckpointError(
            f"checkpoint {path} has inconsistent shapes: A {ckpt.A.shape}, J0 {ckpt.J0.shape}, bias {ckpt.bias.shape}"
        )
    for name in ("A", "bias", "J0"):
        if not np.all(np.isfinite(getattr(ckpt, name))):
            raise CheckpointError(f"checkpoint {path} holds non-finite values in `{name}`")
    _check_fields(path, ckpt, N)
    return ckpt


def _check_fields(path: Path, ckpt: Checkpoint, N: int) -> None:
    """The step, chains, config, draws and history of a loaded checkpoint: types, ranges, agreement."""

    def bad(field: str, expected: str, got) -> CheckpointError:
        return CheckpointError(f"checkpoint {path}: `{field}` must be {expected}, got {got!r}")

    if ckpt.step < 0:
        raise bad("step", "an integer >= 0 (training steps done)", ckpt.step)
    if ckpt.chains is not None:
        if ckpt.chains.ndim != 2 or ckpt.chains.shape[1] != N or not np.all(np.isfinite(ckpt.chains)):
            raise bad("chains", f"finite persistent states of shape (M, {N})", ckpt.chains.shape)
    if not isinstance(ckpt.config, dict) or not all(isinstance(v, dict) for v in ckpt.config.values()):
        raise bad("config", "a table of sections (model, training, data)", type(ckpt.config).__name__)
    if not isinstance(ckpt.rng_state, dict) or "policy" not in ckpt.rng_state:
        raise bad("rng_state", "the draw policy and seed", ckpt.rng_state)
    if not isinstance(ckpt.history, list) or not all(isinstance(h, dict) and "step" in h for h in ckpt.history):
        raise bad("history", "a list of {step, indices} records", type(ckpt.history).__name__)
    if ckpt.g is not None and not ckpt.g >= 0:
        raise bad("g", "a gain >= 0", ckpt.g)
    if not isinstance(ckpt.chaos, list) or not all(isinstance(h, dict) and "step" in h for h in ckpt.chaos):
        raise bad("chaos", "a list of {step, measures} records", type(ckpt.chaos).__name__)
    late = [h["step"] for h in ckpt.history + ckpt.chaos if not 0 <= h["step"] <= ckpt.step]
    if late:
        raise bad("history", f"records of steps 0..{ckpt.step} (the checkpoint's step)", late)
