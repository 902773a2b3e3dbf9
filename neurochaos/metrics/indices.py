"""The four accuracy indices of generated samples against data (lower is better).

Definitions (Fournier & Urbani 2024; conventions of the public DsysDML/FeF
``scores.py``; ``docs/data_and_metrics.md``), with ``D`` the data (n_D, N_v)
and ``G`` the generated samples (n_G, N_v). Every index first takes
n = min(n_D, n_G) rows of each set (a ``seed``-ed random subset of the larger
one, rows kept in order), so no value depends on the set sizes:

- ``E2`` : (1/N_v^2) sum_ij (C^D_ij - C^G_ij)^2, C the connected covariance
  (normalised by n).
- ``Es`` : (1/K) sum_{k<K} (lambda^D_k - lambda^G_k)^2 over the K = min(n, N_v)
  largest eigenvalues of C, sorted descending (= svdvals(X - mean X)^2 / n).
- ``ER`` : S(G) / S(D) - 1, S(X) the gzip size in bytes (level 9) of the
  binarised matrix ``x > 0`` as little-endian int32 (FeF's byte layout for 0/1
  data) divided by n; signed (negative: samples too repetitive, positive: too
  noisy).
- ``EAAI`` : (AA_truth - 1/2)^2 + (AA_syn - 1/2)^2, the nearest-neighbour
  adversarial accuracies of Yale et al. (2020); ties count as a neighbour in
  the *other* set.

Distances are computed chunk by chunk with torch matrix products (CPU or CUDA),
each within-set pair once, so no n x n matrix is ever held: 10,000 x 10,000
with N_v = 784 needs ~200 MB (float32, +-1 data: exact) or ~400 MB (float64,
continuous data).
"""

from __future__ import annotations

import contextlib
import gzip
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.linalg

from ..errors import DataError
from ..validation import check_device, check_int, fail

__all__ = ["accuracy_indices", "e2", "es", "er", "aai", "adversarial_accuracy", "is_binary"]

#: Continuous data: two squared Euclidean distances from a point ``a`` tie when they differ by at most
#: TIE_RTOL x ``(|a|^2 + |b|^2)``, b the farther of the two neighbours: 2048 ulps of float64, above the
#: rounding of ``|a|^2 + |b|^2 - 2 a.b`` (measured <= 12 ulps at N_v = 784; worst-case bound N_v ulps), so
#: copies and exact ties are caught and distinct neighbours are resolved to 2.3e-13 of the norms.
TIE_RTOL = 2.0**-42

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
        fail(
            name,
            "finite (no NaN or inf)",
            f"array with {arr.size - int(finite.sum())} non-finite entries",
            cls=DataError,
        )
    if arr.min() < -1.0 or arr.max() > 1.0:
        fail(name, "in [-1, 1]", f"values in [{arr.min():g}, {arr.max():g}]", cls=DataError)
    return arr


def _pair(data, generated, seed) -> tuple[np.ndarray, np.ndarray]:
    """Validated (n, N_v) float64 copies of both sets with n = min(n_D, n_G) rows each.

    The larger set is cut to a random subset of n rows, drawn by
    ``np.random.default_rng(seed).choice(n_big, n, replace=False)`` and kept in
    their original order (the order matters to gzip).
    """
    d = _matrix(data, "data")
    g = _matrix(generated, "generated", d.shape[1])
    n = min(len(d), len(g))
    rng = np.random.default_rng(check_int(seed, "seed", min_value=0))
    if len(d) > n:
        d = d[np.sort(rng.choice(len(d), n, replace=False))]
    if len(g) > n:
        g = g[np.sort(rng.choice(len(g), n, replace=False))]
    return d, g


def _device(device):
    return check_device(device)


def is_binary(x) -> bool:
    """True when every entry is exactly -1 or +1.

    >>> is_binary([[1, -1], [-1, -1]]), is_binary([[1, 0.5]])
    (True, False)
    """
    x = np.asarray(x)
    return bool(np.all(np.abs(x) == 1))


def _covariance(x: np.ndarray, dev):
    """Connected covariance (N_v, N_v) float64 of ``x`` (n, N_v), normalised by n."""
    import torch

    t = torch.as_tensor(x, dtype=torch.float32, device=dev)
    mean = t.mean(0, dtype=torch.float64)
    gram = (t.T @ t).double() / t.shape[0]  # float32 products: exact for +-1 data, 2x faster
    return gram - torch.outer(mean, mean)


def e2(data, generated, *, device: str = "cpu", seed: int = 0) -> float:
    """Mean squared difference of the connected covariance matrices.

    ``data`` (n_D, N_v) and ``generated`` (n_G, N_v) are samples in [-1, 1];
    ``device`` a torch device ("cpu", "cuda"); ``seed`` picks the random
    n = min(n_D, n_G) rows of the larger set.

    Returns
    -------
    float
        (1/N_v^2) sum_ij (C^D_ij - C^G_ij)^2, C = (X - mean)^T (X - mean) / n.

    >>> e2([[1, 1], [-1, -1]], [[1, -1], [-1, 1]])  # C^D = [[1, 1], [1, 1]], C^G = [[1, -1], [-1, 1]]
    2.0
    """
    d, g = _pair(data, generated, seed)
    dev = _device(device)
    return _e2(_covariance(d, dev), _covariance(g, dev))


def _e2(cov_d, cov_g) -> float:
    return float(((cov_d - cov_g) ** 2).mean())


def _one_blas_thread():
    try:  # installed with scikit-learn
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def _spectrum(cov) -> np.ndarray:
    """Eigenvalues (N_v,) of a covariance matrix, descending, negatives (rounding) clipped to 0."""
    import torch

    if cov.device.type == "cpu":
        # One thread: for N_v ~ 1000 it is as fast as several, and immune to other processes' load.
        with _one_blas_thread():
            lam = scipy.linalg.eigvalsh(cov.numpy(), driver="evd")
    else:
        lam = torch.linalg.eigvalsh(cov).cpu().numpy()
    return np.clip(lam, 0.0, None)[::-1]


def _es(cov_d, cov_g, n: int) -> float:
    k = min(n, cov_d.shape[0])  # the number of singular values of an (n, N_v) matrix, as in FeF
    return float(((_spectrum(cov_d)[:k] - _spectrum(cov_g)[:k]) ** 2).mean())


def es(data, generated, *, device: str = "cpu", seed: int = 0) -> float:
    """Mean squared difference of the PCA spectra (eigenvalues of the covariance, descending).

    Parameters
    ----------
    data, generated : array_like, shapes (n_D, N_v), (n_G, N_v)
    device, seed
        As in :func:`e2`.

    Returns
    -------
    float
        (1/K) sum_{k<K} (lambda^D_k - lambda^G_k)^2 over the K = min(n, N_v)
        largest eigenvalues, n = min(n_D, n_G): the MSE of the two
        ``svdvals(X - mean X)^2 / n`` vectors.

    >>> es([[1, 1], [-1, -1]], [[1, 1], [1, 1]])  # spectra (2, 0) and (0, 0)
    2.0
    >>> round(es([[1, 1, 1], [-1, -1, -1]], [[1, 1, 1], [1, 1, 1]]), 12)  # K = 2 values: (3, 0) and (0, 0)
    4.5
    """
    d, g = _pair(data, generated, seed)
    dev = _device(device)
    return _es(_covariance(d, dev), _covariance(g, dev), len(d))


def _compressed_size(x: np.ndarray) -> float:
    """gzip size (level 9) in bytes of ``x > 0`` (n, N_v) as little-endian int32 in row order, per row."""
    return len(gzip.compress((x > 0).astype("<i4").tobytes(), compresslevel=9, mtime=0)) / x.shape[0]


def _er(d: np.ndarray, g: np.ndarray) -> float:
    with ThreadPoolExecutor(2) as pool:  # zlib releases the GIL: both sets at once
        size_d, size_g = pool.map(_compressed_size, (d, g))
    return size_g / size_d - 1.0


def er(data, generated, *, seed: int = 0) -> float:
    """Entropy (compression) ratio S(G) / S(D) - 1, signed.

    S(X) is the gzip-compressed size in bytes (level 9) of ``(X > 0)`` written
    as little-endian int32 (4 bytes per pixel, FeF's layout for 0/1 data), row
    after row, divided by the number of rows n = min(n_D, n_G) (``seed``
    picks the rows of the larger set). Negative: the samples are more
    compressible (repetitive) than the data.

    >>> x = np.where(np.random.default_rng(0).random((200, 64)) > 0.5, 1.0, -1.0)
    >>> er(x, x), er(x, np.ones_like(x)) < -0.9
    (0.0, True)
    """
    return _er(*_pair(data, generated, seed))


def _distances(a, b, sq_a, sq_b):
    """A monotone proxy of the distances between rows of ``a`` (c, N_v) and ``b`` (m, N_v), shape (c, m).

    Binary (``sq_a`` None): ``-a.b``, ordered like the Hamming distance
    (N_v - a.b) / 2 and exact in float32 for +-1 entries. Otherwise the squared
    Euclidean distance |a|^2 + |b|^2 - 2 a.b (clipped at 0) in the dtype of the
    inputs (float64).
    """
    dot = a @ b.T
    if sq_a is None:
        return dot.neg_()
    return dot.mul_(-2.0).add_(sq_a[:, None]).add_(sq_b).clamp_min_(0.0)


def _nearest_self(x, sq, chunk: int):
    """Distance (n,) from each row of ``x`` (n, N_v) to its nearest other row; each pair computed once."""
    import torch

    best = torch.full((x.shape[0],), float("inf"), dtype=x.dtype, device=x.device)
    for start in range(0, x.shape[0], chunk):
        stop = min(start + chunk, x.shape[0])
        sq_a, sq_b = (None, None) if sq is None else (sq[start:stop], sq[start:])
        dist = _distances(x[start:stop], x[start:], sq_a, sq_b)  # the upper block-triangle only
        rows = torch.arange(stop - start, device=x.device)
        dist[rows, rows] = float("inf")
        torch.minimum(best[start:stop], dist.min(1).values, out=best[start:stop])
        torch.minimum(best[start:], dist.min(0).values, out=best[start:])
    return best


def _nearest_cross(a, b, sq_a, sq_b, chunk: int):
    """Distances (n_a,) from each row of ``a`` to its nearest row of ``b``, and (n_b,) from ``b`` to ``a``."""
    import torch

    a_to_b = torch.empty(a.shape[0], dtype=a.dtype, device=a.device)
    b_to_a = torch.full((b.shape[0],), float("inf"), dtype=a.dtype, device=a.device)
    for start in range(0, a.shape[0], chunk):
        sq_block = None if sq_a is None else sq_a[start : start + chunk]
        dist = _distances(a[start : start + chunk], b, sq_block, sq_b)
        a_to_b[start : start + chunk] = dist.min(1).values
        torch.minimum(b_to_a, dist.min(0).values, out=b_to_a)
    return a_to_b, b_to_a


def _recognised(own, other, sq) -> float:
    """Fraction of points whose own set is strictly closer than the other set (a tie goes to the other set).

    ``own``, ``other`` (n,): distance proxies to the nearest point of each set;
    ``sq`` (n,): squared norms (Euclidean), or None (Hamming: exact integers,
    compared exactly). Euclidean ties: within ``TIE_RTOL (|a|^2 + |b|^2)``, with
    ``|b| <= |a| + sqrt(d)`` bounding the neighbour's norm.
    """
    if sq is None:
        return float((own < other).double().mean())
    tol = TIE_RTOL * (sq + (sq.sqrt() + own.maximum(other).sqrt()) ** 2)
    return float((own < other - tol).double().mean())


def _aa(d: np.ndarray, g: np.ndarray, binary: bool | None, chunk: int, dev) -> tuple[float, float]:
    """(AA_truth, AA_syn) of two validated sets of equal size (n, N_v)."""
    import torch

    if binary is None:
        binary = is_binary(d) and is_binary(g)
    if binary:
        d, g = np.where(d > 0, 1.0, -1.0), np.where(g > 0, 1.0, -1.0)
    varying = ~(np.all(d == d[0], axis=0) & np.all(g == d[0], axis=0))  # constant pixels add 0 to every distance
    dtype = torch.float32 if binary else torch.float64
    td = torch.as_tensor(d[:, varying], dtype=dtype, device=dev)
    tg = torch.as_tensor(g[:, varying], dtype=dtype, device=dev)
    sq_d, sq_g = (None, None) if binary else ((td * td).sum(1), (tg * tg).sum(1))
    with torch.no_grad():
        d_to_d = _nearest_self(td, sq_d, chunk)
        d_to_g, g_to_d = _nearest_cross(td, tg, sq_d, sq_g, chunk)
        g_to_g = _nearest_self(tg, sq_g, chunk)
    return _recognised(d_to_d, d_to_g, sq_d), _recognised(g_to_g, g_to_d, sq_g)


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
        Rows per distance block (memory ~ 2 x chunk x n x 4 bytes, x 8 for
        Euclidean).
    device : str
        torch device ("cpu", "cuda").
    seed : int
        Picks the random n = min(n_D, n_G) rows of the larger set.

    Returns
    -------
    (float, float)
        AA_truth: fraction of the n data points whose nearest neighbour (self
        excluded) is a data point; AA_syn: fraction of the n samples whose
        nearest neighbour is a sample. A tie counts as a neighbour in the other
        set: Hamming distances are compared exactly; squared Euclidean
        distances (float64) tie within ``TIE_RTOL * (|a|^2 + |b|^2)``.

    >>> adversarial_accuracy([[1, 1], [1, -1]], [[-1, -1], [-1, 1]])  # every distance 1: all ties
    (0.0, 0.0)
    >>> adversarial_accuracy([[1, 1, 1], [1, 1, -1]], [[-1, -1, -1], [-1, -1, 1]])  # two far clusters
    (1.0, 1.0)
    """
    d, g = _pair(data, generated, seed)
    return _aa(d, g, binary, check_int(chunk, "chunk", min_value=1), _device(device))


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
    data,
    generated,
    *,
    binary: bool | None = None,
    chunk: int = 2048,
    device: str = "cpu",
    seed: int = 0,
    progress: bool = False,
) -> dict[str, float]:
    """All four indices of ``generated`` against ``data``, on the same n = min(n_D, n_G) rows of each.

    ``data`` (n_D, N_v) is the reference set in [-1, 1] (e.g. the held-out test
    set), ``generated`` (n_G, N_v) the samples in [-1, 1] (+-1 or continuous
    read-outs); ``binary``, ``chunk`` and ``device`` as in
    :func:`adversarial_accuracy`; ``seed`` picks the random n rows of the larger
    set, shared by all four indices. ``progress`` shows a bar over the three stages
    (nearest neighbours for the AA indices, covariances for E2 and Es, ER).

    Returns
    -------
    dict
        ``{"E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn"}`` as floats.

    >>> x = np.where(np.random.default_rng(0).random((50, 16)) > 0.5, 1.0, -1.0)
    >>> res = accuracy_indices(x, x)
    >>> res["E2"], res["Es"], res["ER"], res["AA_truth"], res["AA_syn"], res["EAAI"]
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.5)
    """
    d, g = _pair(data, generated, seed)
    dev = _device(device)
    chunk = check_int(chunk, "chunk", min_value=1)
    from tqdm.auto import tqdm

    with tqdm(total=3, desc=f"indices of {len(g)} vs {len(d)}", unit="stage", disable=not progress) as bar:
        bar.set_postfix_str("nearest neighbours (AA)")
        t, s = _aa(d, g, binary, chunk, dev)
        bar.update()
        bar.set_postfix_str("covariances (E2, Es)")
        cov_d, cov_g = _covariance(d, dev), _covariance(g, dev)
        e2_, es_ = _e2(cov_d, cov_g), _es(cov_d, cov_g, len(d))
        bar.update()
        bar.set_postfix_str("ER")
        er_ = _er(d, g)
        bar.update()
    return {
        "E2": e2_,
        "Es": es_,
        "ER": er_,
        "EAAI": (t - 0.5) ** 2 + (s - 0.5) ** 2,
        "AA_truth": t,
        "AA_syn": s,
    }
