"""Seeded connectivity recipes for dense rate networks.

Every matrix is indexed ``W[post, pre]`` (row: receiving unit), so the
recurrent input is ``W @ r`` for one state vector and ``r @ W.T`` for a batch
of states of shape (M, N).
"""

from __future__ import annotations

import numpy as np

from ..validation import check_float, check_int, fail

__all__ = ["zero_coupling", "gaussian_coupling", "random_patterns", "hopfield_coupling", "spectral_radius", "RECIPES"]


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
