"""Contrastive Hebbian learning of a chaotic generative network (Fournier & Urbani 2024).

Pure functions: layer layouts, block masks, phase statistics and the update
``statistics -> new weights``. Units are numbered visible first, then hidden
layer 1, then hidden layer 2; every matrix is ``A[post, pre]`` and symmetric.

The update of one training step is::

    dA = k (<s s^T>_clamped - <s s^T>_free) * mask,   d bias = k (<s>_clamped - <s>_free)

with ``mask`` the blocks the architecture allows (zero diagonal), so the
visible-hidden block is ``dW_ia = k (<s_i h_a>_c - <s_i h_a>_f)`` and the bias
update covers b (visible), c (hidden 1) and d (hidden 2).
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_choice, check_finite_array, check_float, check_int, fail

__all__ = [
    "ARCHITECTURES",
    "J_SCOPES",
    "layer_sizes",
    "layer_slices",
    "coupling_mask",
    "frozen_mask",
    "phase_statistics",
    "contrastive_delta",
    "apply_contrastive",
    "contrastive_update",
    "learning_rate",
]

#: Architectures of the paper: which blocks of A are learned.
ARCHITECTURES = ("unrestricted", "restricted2", "restricted3")
#: Where the frozen random coupling J lives among the layers: over all their units (default), only inside
#: hidden layers, or nowhere ("none": a chaotic pool, ``n_pool`` > 0, is then the only frozen coupling).
J_SCOPES = ("all", "hidden", "none")


def layer_sizes(architecture: str, n_visible: int, n_hidden: int = 0, n_hidden2: int = 0) -> tuple[int, ...]:
    """Sizes of the layers, visible first.

    >>> layer_sizes("restricted3", 784, 500, 100)
    (784, 500, 100)
    >>> layer_sizes("unrestricted", 64)
    (64,)
    """
    check_choice(architecture, "architecture", ARCHITECTURES)
    n_visible = check_int(n_visible, "n_visible", min_value=1)
    if architecture == "unrestricted":
        if n_hidden or n_hidden2:
            fail("n_hidden", "0 for the unrestricted architecture (all units visible)", n_hidden or n_hidden2)
        return (n_visible,)
    n_hidden = check_int(n_hidden, "n_hidden", min_value=1)
    if architecture == "restricted2":
        if n_hidden2:
            fail("n_hidden2", "0 for the restricted2 architecture", n_hidden2)
        return (n_visible, n_hidden)
    return (n_visible, n_hidden, check_int(n_hidden2, "n_hidden2", min_value=1))


def layer_slices(sizes) -> list[slice]:
    """Index range of each layer inside the N = sum(sizes) units.

    >>> layer_slices((3, 2))
    [slice(0, 3, None), slice(3, 5, None)]
    """
    edges = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def coupling_mask(architecture: str, sizes) -> np.ndarray:
    """Where the learned coupling A may be non-zero.

    Unrestricted: every pair of (visible) units; restricted2: the visible-hidden
    block and its transpose; restricted3: v-h1 and h1-h2 blocks and transposes.

    Returns
    -------
    ndarray, shape (N, N), bool, symmetric, zero diagonal

    >>> coupling_mask("restricted2", (2, 1)).astype(int)
    array([[0, 0, 1],
           [0, 0, 1],
           [1, 1, 0]])
    """
    check_choice(architecture, "architecture", ARCHITECTURES)
    sl = layer_slices(sizes)
    N = int(sum(sizes))
    mask = np.zeros((N, N), dtype=bool)
    if architecture == "unrestricted":
        mask[:] = True
    else:
        for lower, upper in zip(sl[:-1], sl[1:]):
            mask[lower, upper] = True
            mask[upper, lower] = True
    np.fill_diagonal(mask, False)
    return mask


def frozen_mask(j_scope: str, sizes) -> np.ndarray:
    """Where the frozen random coupling J lives.

    ``"all"`` (default of the spec): every pair of distinct units; ``"hidden"``:
    only pairs inside the same hidden layer; ``"none"``: no pair (the chaos then comes
    from a pool, see :func:`~neurochaos.learning.build_generative_network`).

    Returns
    -------
    ndarray, shape (N, N), bool, zero diagonal

    >>> frozen_mask("hidden", (2, 2)).astype(int)
    array([[0, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 1],
           [0, 0, 1, 0]])
    """
    check_choice(j_scope, "j_scope", J_SCOPES)
    N = int(sum(sizes))
    if j_scope == "all":
        mask = np.ones((N, N), dtype=bool)
    elif j_scope == "none":
        mask = np.zeros((N, N), dtype=bool)
    elif len(sizes) < 2:
        fail("j_scope", "'all' for an architecture without hidden units", j_scope)
    else:
        mask = np.zeros((N, N), dtype=bool)
        for s in layer_slices(sizes)[1:]:
            mask[s, s] = True
    np.fill_diagonal(mask, False)
    return mask


def phase_statistics(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Second moments and means of the rates of one phase.

    Parameters
    ----------
    s : ndarray, shape (M, N): rates of M chains (clamped visible units hold the data)

    Returns
    -------
    corr : ndarray (N, N), ``<s_i s_j>`` averaged over chains (exactly symmetric)
    mean : ndarray (N,), ``<s_i>``

    >>> c, m = phase_statistics(np.array([[1.0, -1.0], [1.0, 1.0]]))
    >>> c.tolist(), m.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [1.0, 0.0])
    """
    s = check_finite_array(s, "s", shape=(None, None))
    if s.shape[0] == 0:
        fail("s", "a non-empty batch of rates", "array with 0 chains")
    return _moments(s)


def _moments(s):
    """(<s s^T> symmetrised, <s>) over the first axis; numpy arrays or torch tensors alike."""
    corr = s.T @ s / s.shape[0]
    return 0.5 * (corr + corr.T), s.mean(0)


def contrastive_delta(s_clamped, s_free, A=None, weight_decay: float = 0.0):
    """The contrastive Hebbian direction: ``(<s s^T>_c - <s s^T>_f - weight_decay A, <s>_c - <s>_f)``.

    The one copy of the rule's statistics, written on the array API that numpy
    arrays and torch tensors share, so the phases engine (numpy) and the fused
    engine (torch, on the device) compute the same update. No checks: callers
    validate at their boundary.

    Parameters
    ----------
    s_clamped : (M, N) rates at the end of the clamped phase
    s_free : (M', N) rates at the end of the free phase
    A : (N, N), the current learned coupling (needed when ``weight_decay`` > 0)
    weight_decay : L2 decay of the learned coupling, per unit of the learning rate (0: none);
        the biases are not decayed

    Returns
    -------
    dA : (N, N), exactly symmetric (for a symmetric A)
    db : (N,)

    >>> dA, db = contrastive_delta(np.array([[1.0, 1.0]]), np.array([[1.0, -1.0]]))
    >>> dA.tolist(), db.tolist()
    ([[0.0, 2.0], [2.0, 0.0]], [0.0, 2.0])
    """
    c_corr, c_mean = _moments(s_clamped)
    f_corr, f_mean = _moments(s_free)
    dA = c_corr - f_corr
    if weight_decay:
        dA = dA - weight_decay * A
    return dA, c_mean - f_mean


def learning_rate(step: int, k: float, steps: int, k_final: float | None = None) -> float:
    """The learning rate of training step ``step`` (0-based) of a run of ``steps`` steps.

    ``k_final`` None: ``k`` at every step (the paper's rule). Otherwise a cosine decay from ``k`` at
    step 0 to ``k_final`` at step ``steps``: ``k - (k - k_final) (1 - cos(pi step / steps)) / 2``
    (exactly ``k`` at step 0).
    A function of the step alone, so a resumed run takes the same rates as an uninterrupted one.
    No checks (the config checks k, k_final and steps once).

    >>> learning_rate(0, 0.01, 100, 0.001), round(learning_rate(50, 0.01, 100, 0.001), 6), learning_rate(7, 0.01, 100)
    (0.01, 0.0055, 0.01)
    """
    if k_final is None or steps <= 0:
        return k
    return k - (k - k_final) * 0.5 * (1.0 - math.cos(math.pi * min(step, steps) / steps))


def apply_contrastive(A, bias, s_clamped, s_free, k: float, mask, weight_decay: float = 0.0, bias_mask=None):
    """One contrastive Hebbian step without checks (the training loop's hot path): ``(A_new, bias_new)``.

    ``A_new = mask * (A + k dA)``, ``bias_new = bias + k db * bias_mask`` with
    :func:`contrastive_delta` (``weight_decay`` passed on; ``bias_mask`` (N,) 0/1, None: every
    bias learned; a chaotic pool's units keep a zero bias); numpy arrays (``mask`` bool) in,
    numpy arrays out.
    """
    dA, db = contrastive_delta(s_clamped, s_free, A, weight_decay)
    if bias_mask is not None:
        db = db * bias_mask
    return np.where(mask, A + k * dA, 0.0), bias + k * db


def contrastive_update(
    A: np.ndarray, bias: np.ndarray, s_clamped: np.ndarray, s_free: np.ndarray, *, k: float, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One contrastive Hebbian step: new couplings and biases (checks its inputs, then :func:`apply_contrastive`).

    Parameters
    ----------
    A : ndarray (N, N), learned symmetric coupling, zero outside ``mask``
    bias : ndarray (N,), biases b, c, d of all units
    s_clamped : ndarray (M, N), rates at the end of the clamped phase
    s_free : ndarray (M', N), rates at the end of the free chaotic phase
    k : learning rate (> 0)
    mask : ndarray (N, N) bool, the learned blocks (see :func:`coupling_mask`)

    Returns
    -------
    A_new : ndarray (N, N), symmetric, zero diagonal, zero outside ``mask``
    bias_new : ndarray (N,)

    >>> A, b = contrastive_update(np.zeros((2, 2)), np.zeros(2), np.array([[1.0, 1.0]]),
    ...                           np.array([[1.0, -1.0]]), k=0.5, mask=coupling_mask("unrestricted", (2,)))
    >>> A.tolist(), b.tolist()
    ([[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0])
    """
    A = check_finite_array(A, "A", shape=(None, None))
    N = A.shape[0]
    bias = check_finite_array(bias, "bias", shape=(N,))
    k = check_float(k, "k", low=0.0, low_open=True)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (N, N):
        fail("mask", f"of shape ({N}, {N})", f"array of shape {mask.shape}")
    s_c = check_finite_array(s_clamped, "s_clamped", shape=(None, N))
    s_f = check_finite_array(s_free, "s_free", shape=(None, N))
    for name, s in (("s_clamped", s_c), ("s_free", s_f)):
        if s.shape[0] == 0:
            fail(name, "a non-empty batch of rates", "array with 0 chains")
    return apply_contrastive(A, bias, s_c, s_f, k, mask)
