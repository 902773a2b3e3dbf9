"""Atomic file output: nothing half-written is ever left behind."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["atomic_path", "save_npz", "save_json"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None):
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_npz(path, **arrays) -> Path:
    """Write a ``.npz`` atomically."""
    with atomic_path(path, ".npz") as tmp:
        np.savez(tmp, **arrays)
    return Path(path)


def _default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def save_json(path, obj) -> Path:
    """Write JSON atomically (numpy scalars and arrays become numbers and lists)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, default=_default) + "\n")
    return Path(path)


def read_toml(path, what: str, cls=None) -> dict:
    """Read a TOML file; a missing file or a parse error raises ``cls`` (default ConfigError) naming ``what``.

    >>> read_toml("/no/such.toml", "config")
    Traceback (most recent call last):
    ...
    neurochaos.errors.ConfigError: `config` must be an existing TOML file, got '/no/such.toml'
    """
    import tomllib

    from .errors import ConfigError

    cls = cls or ConfigError
    path = Path(path)
    if not path.is_file():
        raise cls(f"`{what}` must be an existing TOML file, got {str(path)!r}")
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise cls(f"`{what}` must be valid TOML, got a parse error: {exc} ({path})") from exc
