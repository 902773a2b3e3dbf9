"""Durable file output: nothing half-written, nothing silently replaced, one owner per output folder.

- :func:`atomic_path` writes through a temporary file beside the target, fsyncs
  it, renames it onto the target and fsyncs the folder; the temporary file is
  removed on failure, and ones left by killed processes are removed by the
  next write to the same folder.
- :func:`output_set` does the same for files that belong together (data,
  metadata, figure): none of them appears unless all were written.
- :func:`check_new` refuses existing targets unless overwriting was asked for.
- :func:`folder_lock` holds an exclusive lock on an output folder for a run's
  lifetime (``.neurochaos.lock``: the owner's pid, host, start time and
  command); a second run is refused with a message naming the owner. The lock
  is a kernel ``flock``, released when its process dies however it dies, so a
  lock file left by a killed run is stale and is taken over.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import socket
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

__all__ = [
    "atomic_path",
    "output_set",
    "check_new",
    "folder_lock",
    "LOCK_NAME",
    "save_npz",
    "save_json",
    "write_json",
    "read_toml",
]

#: Lock file of an output folder held by a running training (or sweep).
LOCK_NAME = ".neurochaos.lock"
_HOST = socket.gethostname().split(".")[0] or "host"
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<host>[^.]+)-(?P<pid>\d+)-[0-9a-f]{8}\.part(\.\w+)?$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Remove temporary files for ``name`` left in ``folder`` by dead processes of this host."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            m = _TEMP.match(entry.name)
            if m and m["name"] == name and m["host"] == _HOST and not _pid_alive(int(m["pid"])):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot open or sync folders
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_beside(path: Path, suffix: str) -> Path:
    """Create an empty temporary file beside ``path``, mode 0666 minus the umask (no umask change)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path.parent, path.name)
    while True:
        tmp = path.parent / f".{path.name}.{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.part{suffix}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue


@contextlib.contextmanager
def output_set(paths, suffixes=None):
    """Yield temporary paths, one per target in ``paths``; all are renamed onto their targets only on success.

    Each file is fsynced before the renames and the folders after them. When
    the body raises, no target is touched and every temporary file is removed.
    ``suffixes``: the temporary files' endings (default: each target's), for
    writers such as ``np.savez`` that append their own.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with output_set([d / "a.txt", d / "b.txt"]) as (a, b):
    ...     _ = a.write_text("1"), b.write_text("2")
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt', 'b.txt']
    """
    paths = [Path(p) for p in paths]
    suffixes = [p.suffix for p in paths] if suffixes is None else list(suffixes)
    temps: list[Path] = []
    try:
        for p, suffix in zip(paths, suffixes):
            temps.append(_temp_beside(p, suffix))
        yield temps
        for tmp in temps:
            _fsync_file(tmp)
        for tmp, p in zip(temps, paths):
            os.replace(tmp, p)
        for folder in {p.parent for p in paths}:
            _fsync_folder(folder)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None):
    """Yield a temporary path beside ``path``; it is fsynced and renamed onto ``path`` only on success.

    ``suffix``: the temporary file's ending (default: ``path``'s), see :func:`output_set`.
    """
    path = Path(path)
    with output_set([path], [path.suffix if suffix is None else suffix]) as (tmp,):
        yield tmp


def check_new(paths, overwrite: bool, flag: str = "--out") -> None:
    """Refuse (ConfigError naming ``flag``) any existing path in ``paths`` unless ``overwrite``; check folders.

    Also refuses, before any work is done, a target whose folder cannot be made
    (e.g. a path under a regular file) or written.
    """
    from .errors import ConfigError

    for p in paths:
        if p is None:
            continue
        p = Path(p)
        if p.exists() and not overwrite:
            raise ConfigError(f"`{flag}` must be a new path (pass --overwrite to replace it), got existing {str(p)!r}")
        if p.is_dir():
            raise ConfigError(f"`{flag}` must be a file path, got the folder {str(p)!r}")
        parent = p.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise ConfigError(f"`{flag}` must be a path in a folder, got {str(p)!r} ({str(parent)!r} is a file)")
        try:  # a real probe: os.access says yes to root on read-only or virtual folders such as /proc
            with tempfile.TemporaryFile(dir=parent, prefix=".neurochaos-probe-"):
                pass
        except OSError as exc:
            raise ConfigError(
                f"`{flag}` must be in a writable folder, got {str(p)!r} ({str(parent)!r}: {exc.strerror or exc})"
            ) from None


def _owner(lock: Path) -> str:
    try:
        info = json.loads(lock.read_text() or "{}")
    except (OSError, ValueError):
        return "another process (owner unreadable)"
    return (
        f"pid {info.get('pid', '?')} on host {info.get('host', '?')} since {info.get('started', '?')} "
        f"({info.get('command', '?')})"
    )


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike, what: str = "run"):
    """Hold an exclusive lock on ``folder`` (created if needed) for the body; refuse when another run holds it.

    Raises
    ------
    OutputLockedError : the folder is locked by a live run (its pid, host, start and command are named)
    """
    import fcntl

    from .errors import OutputLockedError

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / LOCK_NAME
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise OutputLockedError(
                f"`out` {str(folder)!r} is in use by another {what}: {_owner(lock)}; "
                "wait for it to finish or choose another folder"
            ) from None
        try:  # the file we locked must still be the one at the path (not unlinked by a finishing owner)
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:500],
            "what": what,
        }
        os.ftruncate(fd, 0)
        os.write(fd, (json.dumps(info) + "\n").encode())
        yield lock
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


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


def write_json(file, obj) -> None:
    """Write ``obj`` as JSON into ``file`` directly (numpy scalars and arrays become numbers and lists)."""
    Path(file).write_text(json.dumps(obj, indent=2, default=_default) + "\n")


def save_json(path, obj) -> Path:
    """Write JSON atomically (see :func:`write_json`)."""
    with atomic_path(path) as tmp:
        write_json(tmp, obj)
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
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise cls(f"`{what}` must be a TOML text file (UTF-8), got binary data in {str(path)!r}") from None
    except tomllib.TOMLDecodeError as exc:
        raise cls(f"`{what}` must be valid TOML, got a parse error: {exc} ({path})") from exc
