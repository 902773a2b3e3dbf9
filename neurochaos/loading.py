"""Read the ``.npz`` files neurochaos writes (samples, trained models, checkpoints) with one message shape.

``numpy.load`` guesses the format from the first bytes and describes anything
that is neither a zip nor an ``.npy`` as "pickled (object) data ... allow_pickle",
which misleads whoever passed a wrong file. :func:`load_npz` checks the zip
structure first and says what the file should have been::

    `samples` must be an .npz written by neurochaos, got /tmp/x.npz: not a zip/npz file
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import DataError

__all__ = ["load_npz"]


def load_npz(path: str | os.PathLike, name: str, *, required=(), cls=DataError) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` written by neurochaos (``np.savez``, no pickles).

    Parameters
    ----------
    path : the file
    name : what the file is, as the user calls it (``"samples"``, ``"checkpoint"``, ``"rbm"``):
        the message names it
    required : array names the file must hold
    cls : the error raised (a :class:`~neurochaos.errors.NeurochaosError`)

    Returns
    -------
    dict
        Array name -> ndarray, every array read (the file is closed on return).

    Raises
    ------
    cls
        ``"`<name>` must be an .npz written by neurochaos, got <path>: <reason>"``; the reason
        is one of: no such file, not a zip/npz file, a corrupt array, an object array (which
        would need pickle), or the missing ``required`` names.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "s.npz"
    >>> np.savez(p, samples=np.ones((2, 3)))
    >>> load_npz(p, "samples", required=["samples"])["samples"].shape
    (2, 3)
    >>> _ = p.write_bytes(b"not a zip")
    >>> load_npz(p, "samples")
    Traceback (most recent call last):
    ...
    neurochaos.errors.DataError: `samples` must be an .npz written by neurochaos, got ...s.npz: not a zip/npz file
    """
    path = Path(path)

    def bad(reason: str):
        return cls(f"`{name}` must be an .npz written by neurochaos, got {path}: {reason}")

    if not path.exists():
        raise bad("no such file")
    if not path.is_file():
        raise bad("not a file")
    try:
        is_zip = zipfile.is_zipfile(path)
    except OSError as exc:
        raise bad(f"cannot read it ({exc.strerror or exc})") from exc
    if not is_zip:
        raise bad("not a zip/npz file")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as z:
            for key in z.files:
                try:
                    arrays[key] = z[key]
                except ValueError as exc:
                    if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
                        raise bad(f"array {key!r} holds Python objects (neurochaos writes plain arrays only)") from None
                    raise bad(f"array {key!r} is corrupt ({exc})") from exc
                if not isinstance(arrays[key], np.ndarray):  # a zip member that is not an .npy
                    raise bad(f"member {key!r} is not a numpy array (not an npz file)")
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError, ValueError) as exc:
        if isinstance(exc, cls):
            raise
        raise bad(f"a corrupt zip/npz file ({type(exc).__name__}: {exc})") from exc
    missing = [k for k in required if k not in arrays]
    if missing:
        found = ", ".join(repr(k) for k in arrays) or "none"
        raise bad(f"no array named {', '.join(repr(k) for k in missing)} (found: {found})")
    return arrays
