"""What Brian2 derives from a declaration, kept on disk so that a torch run need not import Brian2.

Checking a card's equations and units, and generating the torch step from
Brian2's state updater, import Brian2 and sympy (about 1.5 s) and give the same
answer every time for the same text. :func:`remember` stores such answers as
small JSON files keyed by a SHA-256 of everything they depend on: the inputs
(equation strings, method, ...), this cache format, the neurochaos version and
the installed Brian2 version (read from the package metadata, without importing
it). Only answers are stored, never failures: an invalid card is checked, and
refused, every time.

Location: ``$NEUROCHAOS_CACHE`` if set (``off`` turns the disk cache off), else
``$XDG_CACHE_HOME/neurochaos`` or ``~/.cache/neurochaos``. Files are written
atomically (temporary file, then rename), so concurrent processes (sweep
workers) never read half a file; an unreadable or foreign file is recomputed and
replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

__all__ = ["cache_folder", "remember"]

#: Bump when the layout of a stored answer changes.
FORMAT = 1


def cache_folder() -> Path | None:
    """The cache folder (None: the disk cache is off)."""
    env = os.environ.get("NEUROCHAOS_CACHE")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "neurochaos"


@lru_cache(maxsize=1)
def _versions() -> tuple:
    from . import __version__

    try:
        brian = metadata.version("brian2")
    except metadata.PackageNotFoundError:  # pragma: no cover - brian2 is a core dependency
        brian = "none"
    return (FORMAT, __version__, brian)


def _key(kind: str, parts) -> str:
    text = json.dumps([_versions(), kind, parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def remember(kind: str, parts, compute):
    """``compute()`` (a JSON value), or the stored answer of an earlier call with the same ``kind`` and ``parts``.

    Parameters
    ----------
    kind : what is stored, a short name (also the file name's prefix), e.g. "card"
    parts : JSON-serialisable inputs the answer depends on (versions are added here)
    compute : function of no arguments; its exceptions propagate and nothing is stored

    >>> import os, tempfile
    >>> os.environ["NEUROCHAOS_CACHE"] = tempfile.mkdtemp()
    >>> calls = []
    >>> remember("demo", ["x"], lambda: calls.append(1) or {"a": 1}), remember("demo", ["x"], lambda: calls.append(1))
    ({'a': 1}, {'a': 1})
    >>> len(calls)
    1
    >>> del os.environ["NEUROCHAOS_CACHE"]
    """
    folder = cache_folder()
    if folder is None:
        return compute()
    key = _key(kind, parts)
    path = folder / f"{kind}-{key}.json"
    try:
        stored = json.loads(path.read_text())
        if stored.get("key") == key:
            return stored["value"]
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    value = compute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            json.dump({"key": key, "kind": kind, "value": value}, f)
        os.replace(tmp, path)
    except OSError:  # a read-only or full disk: the answer is still right, only not kept
        pass
    return value
