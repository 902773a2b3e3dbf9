"""The four accuracy indices of generated samples against data (lower is better).

Definitions (Fournier & Urbani 2024; ``docs/data_and_metrics.md``), with
``D`` the data (n_D, N_v) and ``G`` the generated samples (n_G, N_v):

- ``E2`` : (1/N_v^2) sum_ij (C^D_ij - C^G_ij)^2, C the connected covariance
  (normalised by n).
- ``Es`` : (1/N_v) sum_k (lambda^D_k - lambda^G_k)^2, lambda the eigenvalues of C
  sorted descending (= svdvals(X - mean X)^2 / n, padded with zeros when n < N_v).
- ``ER`` : S(G) / S(D) - 1, S(X) the gzip size in bytes of the binarised
  matrix (one uint8 0/1 per entry, ``x > 0``) divided by its number of rows; signed
  (negative: samples too repetitive, positive: too noisy).
- ``EAAI`` : (AA_truth - 1/2)^2 + (AA_syn - 1/2)^2, the nearest-neighbour
  adversarial accuracies of Yale et al. (2020) on n = min(n_D, n_G) rows of each
  set (a seeded random subset of the larger one); ties count as a neighbour in
  the *other* set.

Distances are computed chunk by chunk with torch matrix products (CPU or CUDA),
so no n x n matrix is ever held: 10,000 x 10,000 with N_v = 784 needs ~100 MB.
"""

from __future__ import annotations

import gzip

import numpy as np

from ..errors import ConfigError, DataError, ExecutorUnavailableError
from ..validation import check_int, fail

__all__ = ["accuracy_indices", "e2", "es", "er", "aai", "adversarial_accuracy", "is_binary"]

KEYS = ("E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn")


def _matrix(x, name: str, n_visible: int | None = None) -> np.ndarray:
    """Validate one sample matrix: 2-D float64, >= 2 rows, finite, in [-1, 1]."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        fail(name, "an array of real numbers", type(x).__name__, cls=DataError)
    if arr.ndim != 2:
        fail(name, "a 2-D array (samples, pixels)", f"shape {arr.shape}", cls=DataError)
    if arr.shape[0] < 2:
        fail(name, "an array with at least 2 rows", f"shape {arr.shape}", cls=DataError)
    if n_visible is not None and arr.shape[1] != n_visible:
        fail(name, f"of shape (n, {n_visible}) like `data`", f"shape {arr.shape}", cls=DataError)
    finite = np.isfinite(arr)
    if not finite.all():
        fail(name, "finite (no NaN or inf)", f"array with {arr.size - int(finite.sum())} non-finite entries",
             cls=DataError)
    if arr.min() < -1.0 or arr.max() > 1.0:
        fail(name, "in [-1, 1]", f"values in [{arr.min():g}, {arr.max():g}]", cls=DataError)
    return arr


def _pair(data, generated):
    d = _matrix(data, "data")
    return d, _matrix(generated, "generated", d.shape[1])


def _device(device):
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        fail("device", "a torch device such as 'cpu' or 'cuda'", device, cls=ConfigError)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ExecutorUnavailableError(f"`device` {device!r} needs CUDA, but torch sees no CUDA device; use 'cpu'")
    return dev


def is_binary(x) -> bool:
    """True when every entry is exactly -1 or +1.

    >>> is_binary([[1, -1], [-1, -1]]), is_binary([[1, 0.5]])
    (True, False)
    """
    x = np.asarray(x)
    return bool(np.all(np.abs(x) == 1))


def _covariance(x: np.ndarray, device: str):
    import torch

    t = torch.as_tensor(x, dtype=torch.float64, device=_device(device))
    t = t - t.mean(0)
    return t.T @ t / t.shape[0]


def e2(data, generated, *, device: str = "cpu") -> float:
    """Mean squared difference of the connected covariance matrices.

    Parameters
    ----------
    data : array_like, shape (n_D, N_v)
        Reference samples in [-1, 1].
    generated : array_like, shape (n_G, N_v)
        Generated samples in [-1, 1].

    Returns
    -------
    float
        (1/N_v^2) sum_ij (C^D_ij - C^G_ij)^2, C = (X - mean)^T (X - mean) / n.

    >>> e2([[1, 1], [-1, -1]], [[1, -1], [-1, 1]])  # C^D = [[1, 1], [1, 1]], C^G = [[1, -1], [-1, 1]]
    2.0
    """
    d, g = _pair(data, generated)
    return float(((_covariance(d, device) - _covariance(g, device)) ** 2).mean())


def _spectrum(x: np.ndarray, device: str):
    import torch

    lam = torch.linalg.eigvalsh(_covariance(x, device)).clamp_min(0.0)
    return torch.flip(lam, dims=[0])


def es(data, generated, *, device: str = "cpu") -> float:
    """Mean squared difference of the PCA spectra (eigenvalues of the covariance, descending).

    Parameters
    ----------
    data, generated : array_like, shapes (n_D, N_v), (n_G, N_v)

    Returns
    -------
    float
        (1/N_v) sum_k (lambda^D_k - lambda^G_k)^2 over all N_v eigenvalues.

    >>> es([[1, 1], [-1, -1]], [[1, 1], [1, 1]])  # spectra (2, 0) and (0, 0)
    2.0
    """
    d, g = _pair(data, generated)
    return float(((_spectrum(d, device) - _spectrum(g, device)) ** 2).mean())


def _compressed_size(x: np.ndarray) -> float:
    """gzip size in bytes of the binarised matrix, per row."""
    return len(gzip.compress(np.ascontiguousarray(x > 0, dtype=np.uint8).tobytes())) / x.shape[0]


def er(data, generated) -> float:
    """Entropy (compression) ratio S(G) / S(D) - 1, signed.

    S(X) is the gzip-compressed size in bytes (level 9) of ``(X > 0)`` stored
    as one uint8 per entry, divided by the number of rows. Negative: the
    samples are more compressible (repetitive) than the data.

    >>> x = np.where(np.random.default_rng(0).random((200, 64)) > 0.5, 1.0, -1.0)
    >>> er(x, x), er(x, np.ones_like(x)) < -0.9
    (0.0, True)
    """
    d, g = _pair(data, generated)
    return _compressed_size(g) / _compressed_size(d) - 1.0


def _nearest(src, ref, *, exclude_offset, binary, chunk, col_min=None):
    """Min distance (a monotone proxy of it) from each row of ``src`` to the rows of ``ref``.

    With ``exclude_offset`` not None, row i of ``src`` is row i of ``ref`` and is
    skipped. With ``col_min`` a tensor (len(ref),), it is updated in place with
    the min over ``src`` of each column. Returns a tensor (len(src),).
    For binary data the value is the Hamming distance (exact in float32);
    otherwise the squared Euclidean distance, with values below 1e-9 of the
    squared norms snapped to 0 so that exact copies tie exactly.
    """
    import torch

    out = torch.empty(src.shape[0], dtype=src.dtype, device=src.device)
    ref_sq = (ref * ref).sum(1)
    for start in range(0, src.shape[0], chunk):
        block = src[start : start + chunk]
        dot = block @ ref.T
        if binary:
            dist = (src.shape[1] - dot) * 0.5
        else:
            norms = (block * block).sum(1, keepdim=True) + ref_sq
            dist = (norms - 2.0 * dot).clamp_min_(0.0)
            dist = torch.where(dist <= 1e-9 * norms, torch.zeros((), dtype=dist.dtype, device=dist.device), dist)
        if exclude_offset is not None:
            rows = torch.arange(block.shape[0], device=src.device)
            dist[rows, rows + start] = float("inf")
        out[start : start + chunk] = dist.min(1).values
        if col_min is not None:
            torch.minimum(col_min, dist.min(0).values, out=col_min)
        del dot, dist
    return out


def adversarial_accuracy(
    data, generated, *, binary: bool | None = None, chunk: int = 2048, device: str = "cpu", seed: int = 0
) -> tuple[float, float]:
    """Nearest-neighbour adversarial accuracies (AA_truth, AA_syn) of Yale et al. (2020).

    Parameters
    ----------
    data : array_like, shape (n_D, N_v)
    generated : array_like, shape (n_G, N_v)
    binary : bool, optional
        Hamming distance on ``sign`` (x > 0 -> +1) when True; Euclidean when
        False; None: True when both sets are exactly +-1.
    chunk : int
        Rows per distance block (memory ~ chunk x n x 8 bytes).
    device : str
        torch device ("cpu", "cuda").
    seed : int
        Picks the random subset of the larger set when n_D != n_G.

    Returns
    -------
    (float, float)
        AA_truth: fraction of the n data points whose nearest neighbour (self
        excluded) is a data point; AA_syn: fraction of the n samples whose
        nearest neighbour is a sample. A tie counts as a neighbour in the other set.

    >>> adversarial_accuracy([[1, 1], [1, -1]], [[-1, -1], [-1, 1]])  # every distance 1: all ties
    (0.0, 0.0)
    >>> adversarial_accuracy([[1, 1, 1], [1, 1, -1]], [[-1, -1, -1], [-1, -1, 1]])  # two far clusters
    (1.0, 1.0)
    """
    import torch

    d, g = _pair(data, generated)
    chunk = check_int(chunk, "chunk", min_value=1)
    dev = _device(device)
    if binary is None:
        binary = is_binary(d) and is_binary(g)
    n = min(len(d), len(g))
    rng = np.random.default_rng(check_int(seed, "seed", min_value=0))
    if len(d) > n:
        d = d[np.sort(rng.choice(len(d), n, replace=False))]
    if len(g) > n:
        g = g[np.sort(rng.choice(len(g), n, replace=False))]
    if binary:
        d, g = np.where(d > 0, 1.0, -1.0), np.where(g > 0, 1.0, -1.0)
    dtype = torch.float32 if binary else torch.float64  # float32 is exact for +-1 dot products
    td = torch.as_tensor(d, dtype=dtype, device=dev)
    tg = torch.as_tensor(g, dtype=dtype, device=dev)
    g_to_d = torch.full((n,), float("inf"), dtype=dtype, device=dev)
    with torch.no_grad():
        d_to_d = _nearest(td, td, exclude_offset=0, binary=binary, chunk=chunk)
        d_to_g = _nearest(td, tg, exclude_offset=None, binary=binary, chunk=chunk, col_min=g_to_d)
        g_to_g = _nearest(tg, tg, exclude_offset=0, binary=binary, chunk=chunk)
    aa_truth = float((d_to_d < d_to_g).double().mean())
    aa_syn = float((g_to_g < g_to_d).double().mean())
    return aa_truth, aa_syn


def aai(data, generated, *, binary: bool | None = None, chunk: int = 2048, device: str = "cpu", seed: int = 0) -> float:
    """E(AAI) = (AA_truth - 1/2)^2 + (AA_syn - 1/2)^2; see :func:`adversarial_accuracy`.

    0 is ideal; 0.5 for samples far from the data (AA = 1, 1) or for exact
    copies of the reference set (AA = 0, 0).

    >>> aai([[1, 1, 1], [1, 1, -1]], [[-1, -1, -1], [-1, -1, 1]])
    0.5
    """
    t, s = adversarial_accuracy(data, generated, binary=binary, chunk=chunk, device=device, seed=seed)
    return (t - 0.5) ** 2 + (s - 0.5) ** 2


def accuracy_indices(
    data, generated, *, binary: bool | None = None, chunk: int = 2048, device: str = "cpu", seed: int = 0
) -> dict[str, float]:
    """All four indices of ``generated`` against ``data``.

    Parameters
    ----------
    data : array_like, shape (n_D, N_v)
        Reference samples in [-1, 1], e.g. the held-out test set.
    generated : array_like, shape (n_G, N_v)
        Generated samples in [-1, 1] (+-1 or continuous read-outs).
    binary, chunk, device, seed
        See :func:`adversarial_accuracy`. E2, Es and ER use all rows of both sets.

    Returns
    -------
    dict
        ``{"E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn"}`` as floats.

    >>> x = np.where(np.random.default_rng(0).random((50, 16)) > 0.5, 1.0, -1.0)
    >>> res = accuracy_indices(x, x)
    >>> res["E2"], res["Es"], res["ER"], res["AA_truth"], res["AA_syn"], res["EAAI"]
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.5)
    """
    d, g = _pair(data, generated)
    t, s = adversarial_accuracy(d, g, binary=binary, chunk=chunk, device=device, seed=seed)
    return {
        "E2": e2(d, g, device=device),
        "Es": es(d, g, device=device),
        "ER": er(d, g),
        "EAAI": (t - 0.5) ** 2 + (s - 0.5) ** 2,
        "AA_truth": t,
        "AA_syn": s,
    }
