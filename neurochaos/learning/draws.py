"""The one seeded draw policy of the training loop, shared by both engines.

Step ``i`` of a run with training seed ``s`` draws its minibatch indices and its
free-phase initial states from its own generator, seeded by ``(s, i)``
(:func:`step_seed`): the phases engine and the fused engine draw the same
numbers, on the CPU, so the same config gives the same run on either (to
floating-point tolerance), and a resumed run needs only the step number, not a
generator state. The minibatch is drawn without replacement (with replacement
only when the data hold fewer than M images).
"""

from __future__ import annotations

import numpy as np

__all__ = ["DRAW_POLICY", "step_seed", "step_draws"]

#: Recorded in every checkpoint; a checkpoint made with another policy cannot be resumed.
DRAW_POLICY = "per-step-seed-sequence-1"


def step_seed(seed: int, step: int) -> int:
    """Seed of training step ``step``'s random draws (minibatch, initial states).

    >>> step_seed(0, 1) == step_seed(0, 1) != step_seed(0, 2)
    True
    """
    return int(np.random.SeedSequence([int(seed), int(step)]).generate_state(1, dtype=np.uint64)[0] >> 1)


def step_draws(seed: int, step: int, n_data: int, M: int, N: int) -> tuple[np.ndarray, np.ndarray]:
    """The draws of one training step: minibatch indices (M,) int64 and initial states x0 (M, N) ~ N(0, 1).

    >>> idx, x0 = step_draws(0, 3, n_data=10, M=4, N=2)
    >>> idx.shape, x0.shape, len(set(idx.tolist()))
    ((4,), (4, 2), 4)
    """
    rng = np.random.default_rng(step_seed(seed, step))
    idx = rng.choice(n_data, size=M, replace=n_data < M).astype(np.int64)
    return idx, rng.standard_normal((M, N))
