"""Evaluate a file of generated samples against a named dataset (``neurochaos evaluate``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..loading import load_npz
from ..validation import check_choice, fail
from .indices import accuracy_indices

__all__ = ["load_samples", "evaluate_samples"]

SAMPLE_KEYS = ("samples", "x")
NPY_MAGIC = b"\x93NUMPY"


def recorded_dataset(path: str | os.PathLike) -> dict:
    """The dataset a samples ``.npz`` records (keys ``dataset``, ``data_encoding``, ``data_directory``), or {}."""
    path = Path(path)
    if path.suffix != ".npz" or not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as z:
        return {k: str(z[k]) for k in ("dataset", "data_encoding", "data_directory") if k in z.files}


def load_samples(path: str | os.PathLike) -> np.ndarray:
    """Read generated samples from an ``.npz`` (key ``samples``, else ``x``) or ``.npy``.

    Returns
    -------
    ndarray, shape (n, D), float64

    Raises
    ------
    DataError
        Missing or unreadable file, no ``samples``/``x`` array, wrong number of
        dimensions.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"samples file not found: {path}")
    with open(path, "rb") as fh:
        is_npy = fh.read(len(NPY_MAGIC)) == NPY_MAGIC  # an .npy, whatever it is called
    if is_npy:
        try:
            arr = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            reason = "it holds Python objects" if "allow_pickle" in str(exc) else f"corrupt ({exc})"
            raise DataError(f"`samples` must be an .npy or .npz written by neurochaos, got {path}: {reason}") from exc
    else:
        arrays = load_npz(path, "samples")
        key = next((k for k in SAMPLE_KEYS if k in arrays), None)
        if key is None:
            found = ", ".join(arrays) or "none"
            raise DataError(f"{path} has no array named 'samples' or 'x' (found: {found})")
        arr = arrays[key]
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim != 2:
        hint = " (for a simulation trace (steps, chains, N) pass its last record x[-1])" if arr.ndim == 3 else ""
        raise DataError(f"`samples` in {path} must be a 2-D array (n, D), got shape {arr.shape}{hint}")
    return arr


def evaluate_samples(
    samples,
    *,
    data: str | None = None,
    directory=None,
    split: str = "test",
    encoding: str | None = None,
    binary: bool | None = None,
    chunk: int = 2048,
    device: str = "cpu",
    seed: int = 0,
    progress: bool = False,
) -> dict:
    """The four accuracy indices of a samples file against one split of a dataset.

    Parameters
    ----------
    samples : str, PathLike or array_like, shape (n, D)
        An ``.npz``/``.npy`` file (see :func:`load_samples`) or the array itself.
    data : str, optional
        A source of :data:`neurochaos.data.SOURCES`. Default: the dataset a samples file
        records (``neurochaos sample`` writes ``dataset``, ``data_encoding`` and
        ``data_directory``); a file or array without one must name it.
    directory : str, optional
        Folder of IDX files, overriding the source's default (default: the recorded one).
    split : {"test", "train"}
        Reference set: the held-out test images (default) or the training images
        (AA_syn near 0 against train means the samples copy training images).
    encoding : {"pm1", "continuous"}, optional
        Encoding of the reference images (default: the recorded one, else "pm1").
    binary, chunk, device, seed
        As in :func:`neurochaos.metrics.accuracy_indices`: every index uses
        n_used = min(n_data, n_samples) rows of each set, the larger set cut to
        a random subset drawn from ``seed``.
    progress : bool
        Show a bar over the stages of the computation (off by default; the CLI shows it).

    Returns
    -------
    dict
        ``E2, Es, ER, EAAI, AA_truth, AA_syn`` and ``n_data, n_samples`` (the
        sizes given), ``n_used``, ``data, data_source, split, encoding, binary,
        seconds``.
    """
    from ..data import load_dataset

    check_choice(split, "split", ("test", "train"))
    is_file = isinstance(samples, (str, os.PathLike))
    gen = load_samples(samples) if is_file else np.asarray(samples, np.float64)
    record = recorded_dataset(samples) if is_file else {}
    if data is None:
        if "dataset" not in record:
            what = f"{str(samples)!r} records no dataset" if is_file else "an array records no dataset"
            fail("data", "given (a source of neurochaos.data.SOURCES)", None, what)
        data = record["dataset"]
        directory = record.get("data_directory") or None if directory is None else directory
    encoding = encoding or record.get("data_encoding") or "pm1"
    ds = load_dataset(data, directory=directory, encoding=encoding)
    ref = ds.x_test if split == "test" else ds.x_train
    if gen.ndim != 2 or gen.shape[1] != ref.shape[1]:
        got = gen.shape[1] if gen.ndim == 2 else f"shape {gen.shape}"
        raise DataError(f"`samples` must have {ref.shape[1]} pixels per image like the {data} data, got {got}")
    t0 = time.perf_counter()
    res = accuracy_indices(ref, gen, binary=binary, chunk=chunk, device=device, seed=seed, progress=progress)
    res.update(
        n_data=int(ref.shape[0]),
        n_samples=int(gen.shape[0]),
        n_used=int(min(ref.shape[0], gen.shape[0])),
        data=data,
        data_source=ds.source,
        split=split,
        encoding=encoding,
        binary="auto" if binary is None else bool(binary),
        seconds=round(time.perf_counter() - t0, 3),
    )
    return res
