"""Read standard IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or raw.

An IDX file is a 4-byte magic number ``00 00 TT ND`` (``TT`` the element type,
``ND`` the number of dimensions), ``ND`` big-endian uint32 sizes, then the
elements in C order, big-endian. Every structural problem (bad magic number,
unknown type, zero dimensions, truncated or over-long payload, broken gzip
stream) raises :class:`~neurochaos.errors.DataError` naming the file.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import re
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError

__all__ = ["read_idx", "find_idx_files", "verify_sha256"]

#: IDX element type code -> big-endian numpy dtype.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

#: ``train-images-idx3-ubyte.gz``, ``t10k-labels.idx1-ubyte``, ``test-images-idx3-ubyte`` ...
_IDX_NAME = re.compile(r"^(train|t10k|test)[-_.](images|labels)[-_.]idx([13])[-_.]ubyte(\.gz)?$")


def _read_bytes(path: Path) -> tuple[bytes, bool]:
    """The file's bytes (decompressed when it is gzip) and whether it was gzip."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise DataError(f"IDX file not found: {path}") from None
    except OSError as exc:
        raise DataError(f"cannot read IDX file {path}: {exc}") from exc
    if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the file is called
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise DataError(f"corrupt gzip stream in IDX file {path}: {exc}") from exc
        return raw, True
    return raw, False


def _invalid(path: Path, reason: str) -> DataError:
    return DataError(f"`{path}` is not a valid IDX file: {reason}")


def _parse_header(raw: bytes, path: Path, gz: bool = False) -> tuple[np.dtype, tuple[int, ...], int]:
    """Check the header (magic, element type, number of dimensions, sizes) against the data size.

    Returns ``(dtype, dims, header_bytes)``; every mismatch raises one
    :class:`DataError` naming the file. Sizes are multiplied as Python ints, so a
    corrupt header declaring 2**32 - 1 in every dimension cannot overflow.
    """
    if len(raw) < 4:
        raise _invalid(path, f"truncated: {len(raw)} bytes, no 4-byte magic number")
    if raw[0] != 0 or raw[1] != 0:
        raise _invalid(path, f"bad magic number {raw[:4].hex()}: the first two bytes must be 00 00")
    code, ndim = raw[2], raw[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise _invalid(path, f"unknown element type 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise _invalid(path, "the header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise _invalid(path, f"truncated inside its header ({len(raw)} of {header} bytes)")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if 0 in dims:
        raise _invalid(path, f"empty dimension: shape {dims}")
    dtype = IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize  # Python ints: no overflow
    got = len(raw) - header
    if got != expected:
        shape = " x ".join(str(d) for d in dims)
        size = shape if dtype.itemsize == 1 else f"{shape} elements of {dtype.itemsize} bytes"
        has = f"the {'decompressed ' if gz else ''}file has {got} after its {header}-byte header"
        raise _invalid(path, f"header declares {size} = {expected} bytes of data, {has}")
    return dtype, dims, header


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file into an array.

    Parameters
    ----------
    path : str or PathLike
        An IDX file, raw or gzip-compressed (detected from its first bytes, not
        its name).

    Returns
    -------
    ndarray
        Shape as stored in the file, e.g. ``(n, 28, 28)`` uint8 pixels for
        ``*-images-idx3-ubyte`` and ``(n,)`` uint8 labels for ``*-labels-idx1-ubyte``;
        converted to native byte order.

    Raises
    ------
    DataError
        Missing file, bad magic number, unknown element type, zero-sized
        dimension, or a payload whose size does not match the header.

    Examples
    --------
    >>> import gzip, tempfile, os
    >>> header = bytes([0, 0, 0x08, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny-idx2-ubyte.gz")
    >>> with open(path, "wb") as fh:
    ...     _ = fh.write(gzip.compress(header + bytes(range(6))))
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    """
    path = Path(path)
    raw, gz = _read_bytes(path)
    dtype, dims, header = _parse_header(raw, path, gz)
    arr = np.frombuffer(raw, dtype=dtype, count=math.prod(dims), offset=header)
    return arr.reshape(dims).astype(dtype.newbyteorder("="))


def find_idx_files(directory: str | os.PathLike) -> dict[str, dict[str, Path]]:
    """Find the standard IDX image and label files in ``directory``.

    Recognised names are ``{train,t10k,test}-{images,labels}-idx{3,1}-ubyte``
    with ``-``, ``_`` or ``.`` as separators and an optional ``.gz``; a raw file
    is preferred to its ``.gz`` twin.

    Returns
    -------
    dict
        ``{"train": {"images": path, "labels": path}, "test": {...}}`` with only
        the roles and kinds that exist (``t10k`` and ``test`` both mean test).

    Examples
    --------
    >>> import tempfile
    >>> find_idx_files(tempfile.mkdtemp())
    {}
    """
    directory = Path(directory)
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(directory.iterdir(), key=lambda p: (p.name.endswith(".gz"), p.name)):
        m = _IDX_NAME.match(path.name)
        if m is None or not path.is_file():
            continue
        role = "train" if m.group(1) == "train" else "test"
        found.setdefault(role, {}).setdefault(m.group(2), path)
    return found


def verify_sha256(path: Path) -> None:
    """Check ``path`` against a ``SHA256SUMS`` file beside it, when there is one listing it.

    Raises
    ------
    DataError
        The file's SHA-256 differs from the one listed.
    """
    sums = path.parent / "SHA256SUMS"
    if not sums.is_file():
        return
    for line in sums.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and Path(parts[1].lstrip("*")).name == path.name:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != parts[0].lower():
                raise DataError(f"IDX file {path} does not match its SHA256SUMS entry (got {digest[:16]}...)")
            return
