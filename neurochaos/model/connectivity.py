"""Seeded connectivity recipes for dense rate networks.

Every matrix is indexed ``W[post, pre]`` (row: receiving unit), so the
recurrent input is ``W @ r`` for one state vector and ``r @ W.T`` for a batch
of states of shape (M, N).
"""

from __future__ import annotations

import numpy as np

from ..validation import check_float, check_int, fail

__all__ = [
    "zero_coupling",
    "gaussian_coupling",
    "random_patterns",
    "hopfield_coupling",
    "spectral_radius",
    "sparse_ei_connectivity",
    "dense_to_sparse",
    "RECIPES",
    "SPIKING_RECIPES",
]


def gaussian_coupling(
    N: int, rng: np.random.Generator, *, scale: float = 1.0, zero_diagonal: bool = True
) -> np.ndarray:
    """Random coupling with i.i.d. entries ``N(0, scale**2 / N)``.

    With ``scale = g`` this is the Sompolinsky-Crisanti-Sommers matrix; its
    spectral radius tends to ``scale`` as N grows (circular law).

    Returns
    -------
    ndarray, shape (N, N), float64, ``W[post, pre]``; zero diagonal by default.

    >>> W = gaussian_coupling(4, np.random.default_rng(0))
    >>> W.shape, float(np.abs(np.diag(W)).max())
    ((4, 4), 0.0)
    """
    N = check_int(N, "N", min_value=1)
    scale = check_float(scale, "scale", low=0.0)
    W = rng.normal(0.0, scale / np.sqrt(N), size=(N, N))
    if zero_diagonal:
        np.fill_diagonal(W, 0.0)
    return W


def random_patterns(P: int, N: int, rng: np.random.Generator) -> np.ndarray:
    """P random binary patterns with entries +-1 (equal probability).

    Returns
    -------
    ndarray, shape (P, N), float64
    """
    P = check_int(P, "P", min_value=1)
    N = check_int(N, "N", min_value=1)
    if P >= N:
        fail("P", f"< N = {N} (pattern count must be below the network size)", P)
    return rng.choice(np.array([-1.0, 1.0]), size=(P, N))


def hopfield_coupling(patterns: np.ndarray) -> np.ndarray:
    """Hebbian low-rank coupling ``W = (1/N) sum_mu xi_mu xi_mu^T`` with zero diagonal.

    Parameters
    ----------
    patterns : ndarray, shape (P, N), entries usually +-1

    Returns
    -------
    ndarray, shape (N, N), symmetric
    """
    xi = np.asarray(patterns, dtype=np.float64)
    if xi.ndim != 2:
        fail("patterns", "a 2-D array of shape (P, N)", f"array of shape {xi.shape}")
    P, N = xi.shape
    if P >= N:
        fail("P", f"< N = {N} (pattern count must be below the network size)", P)
    if not np.all(np.isfinite(xi)):
        fail("patterns", "finite", "array with NaN or inf")
    W = xi.T @ xi / N
    np.fill_diagonal(W, 0.0)
    return W


def zero_coupling(N: int) -> np.ndarray:
    """An all-zero (N, N) coupling: the start of a learned pathway."""
    N = check_int(N, "N", min_value=1)
    return np.zeros((N, N))


def spectral_radius(W: np.ndarray) -> float:
    """Largest absolute eigenvalue of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


#: Names usable as ``recipe`` in a model card's ``[[pathways]]`` table.
RECIPES = ("gaussian", "hopfield", "zeros")


def sparse_ei_connectivity(
    N: int, N_E: int, p: float, rng: np.random.Generator, *, J: float = 1.0, g_I: float = 4.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse random excitatory-inhibitory connectivity (Brunel 2000; Ostojic 2014).

    Every ordered pair (pre, post) with pre != post is connected with
    probability ``p`` (drawn per presynaptic neuron: a binomial number of
    distinct targets); neurons ``0 .. N_E - 1`` are excitatory (weight ``J``),
    the others inhibitory (weight ``-g_I * J``).

    Returns
    -------
    pre, post : ndarray, shape (K,), int64, sorted by pre then post
    w : ndarray, shape (K,), float64, in the unit of ``J``

    >>> pre, post, w = sparse_ei_connectivity(10, 8, 0.5, np.random.default_rng(0), J=0.2, g_I=5.0)
    >>> bool(np.all(pre != post)), sorted(set(np.round(w, 6).tolist()))
    (True, [-1.0, 0.2])
    """
    N = check_int(N, "N", min_value=2)
    N_E = check_int(N_E, "N_E", min_value=0)
    if N_E > N:
        fail("N_E", f"<= N = {N}", N_E)
    p = check_float(p, "p", low=0.0, high=1.0, low_open=True)
    J = check_float(J, "J")
    g_I = check_float(g_I, "g_I", low=0.0)
    # per presynaptic neuron: k ~ Binomial(N - 1, p) distinct targets other than itself
    # (O(K) memory, so N = 100,000 with K ~ 10^7 synapses is fine)
    ks = rng.binomial(N - 1, p, size=N)
    posts = []
    for i, k in enumerate(ks):
        t = np.sort(rng.choice(N - 1, size=int(k), replace=False))
        t[t >= i] += 1
        posts.append(t)
    pre = np.repeat(np.arange(N, dtype=np.int64), ks)
    post = np.concatenate(posts).astype(np.int64) if posts else np.zeros(0, np.int64)
    w = np.where(pre < N_E, J, -g_I * J)
    return pre, post, w.astype(np.float64)


def dense_to_sparse(W: np.ndarray, *, keep_zeros: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pre, post, w) triplets of a dense ``W[post, pre]``, sorted by pre then post.

    ``keep_zeros=True`` keeps every off-diagonal pair (a learnable block that starts at 0).

    >>> dense_to_sparse(np.array([[0.0, 2.0], [0.0, 0.0]]))
    (array([1]), array([0]), array([2.]))
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        fail("W", "a square 2-D array", f"array of shape {W.shape}")
    keep = np.ones_like(W, dtype=bool) if keep_zeros else W != 0
    np.fill_diagonal(keep, False)
    pre, post = np.nonzero(keep.T)
    return pre.astype(np.int64), post.astype(np.int64), W[post, pre]


#: Recipe names usable in a spiking card's ``[[pathways]]`` table.
SPIKING_RECIPES = ("sparse_ei", "hopfield", "zeros")
