"""The results table of a sweep folder: one row per point, written incrementally, never duplicated or half-read.

Layout of a sweep folder ``DIR``::

    DIR/sweep.json        the spec (identity, hash, current grid)
    DIR/table.parquet     the compacted table (Parquet, written atomically)
    DIR/rows/<key>.json   rows finished since the last compaction, one small file per point
    DIR/points/<key>/     per-point artefacts (tasks that take ``workdir``)
    DIR/.neurochaos.lock  held by the running sweep

Why this layout: every finished point is one file written atomically
(:func:`neurochaos.io.atomic_path`: temporary file, fsync, rename), so a row is on
disk whole or not at all, whatever kills the process; and a file *per key*
means a point can never have two rows. The Parquet table is rewritten
atomically from the previous table plus the row files (at the end of a sweep,
at the start of the next one, and at most every ``compact_every_s`` during a long
one), and only then are the merged row files removed; a crash between the two
steps leaves a row in both places, which readers merge by key (the row file
wins: it is the newer record, e.g. of a point rerun with ``retry_errors``).
Appending to one Parquet file is not possible (its footer is written last),
and an append-only CSV would need its own completion marker per row.

Columns: ``key`` (16 hex digits), the axes (``replicate`` included), ``seed``,
the task's metrics, ``wall_s`` (seconds in the task), ``worker`` (host:pid),
``finished`` (UTC, ISO 8601) and ``error`` (None, or ``"Type: message"``).
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from ..errors import ConfigError

__all__ = ["ResultsTable", "read_table", "read_rows", "sweep_folder", "TABLE_NAME", "SPEC_NAME"]

TABLE_NAME = "table.parquet"
SPEC_NAME = "sweep.json"
ROWS = "rows"
_KIND = {bool: "bool", int: "int", float: "float", str: "str"}


def _kind(value) -> str | None:
    return None if value is None else _KIND.get(type(value), "other")


class ResultsTable:
    """The table of the sweep folder ``out`` (reading needs no lock; only the sweep holding it writes).

    Parameters
    ----------
    out : the sweep folder
    axes : axis names in column order (default: from ``sweep.json``)
    """

    def __init__(self, out, axes=None):
        self.out = Path(out)
        self.rows_dir = self.out / ROWS
        self.path = self.out / TABLE_NAME
        if axes is None:
            axes = json.loads((self.out / SPEC_NAME).read_text())["axes"] if (self.out / SPEC_NAME).exists() else []
        self.axes = list(axes)
        self._kinds: dict | None = None

    # ------------------------------------------------------------------ reading
    def _row_files(self) -> list[Path]:
        if not self.rows_dir.is_dir():
            return []
        return sorted(p for p in self.rows_dir.glob("*.json") if not p.name.startswith("."))

    def _read_once(self) -> dict:
        from .cluster import require

        require("pyarrow")
        import pyarrow.parquet as pq

        names = [p.name for p in self._row_files()]
        rows = {}
        if self.path.exists():
            for row in pq.read_table(self.path).to_pylist():
                rows[row["key"]] = row
        for name in names:  # FileNotFoundError: a compaction merged it meanwhile
            row = json.loads((self.rows_dir / name).read_text())
            rows[row["key"]] = row
        return rows

    def rows(self) -> dict:
        """Key -> row (dict) of every finished point, newest record of each key."""
        for _ in range(5):
            try:
                return self._read_once()
            except FileNotFoundError:  # raced with a compaction: the rows are in the new table now
                continue
        return self._read_once()

    def finished(self, retry_errors: bool = False) -> set:
        """Keys of the points that need no rerun (all, or those without an error if ``retry_errors``)."""
        return {k for k, r in self.rows().items() if not (retry_errors and r.get("error"))}

    # ------------------------------------------------------------------ writing (by the lock holder)
    def column_kinds(self) -> dict:
        """Column -> value kind ("int", "float", "bool", "str") seen so far (ints and floats mix as float)."""
        if self._kinds is None:
            self._kinds = {}
            for row in self.rows().values():
                self._note(row)
        return self._kinds

    def _note(self, row: dict) -> None:
        for col, v in row.items():
            k = _kind(v)
            if k is not None:
                old = self._kinds.get(col)
                self._kinds[col] = "float" if {old, k} == {"int", "float"} else k

    def conflicts(self, row: dict) -> list[str]:
        """Columns whose value in ``row`` has a kind other than the column's (e.g. a string in a float column)."""
        kinds, bad = self.column_kinds(), []
        for col, v in row.items():
            k, old = _kind(v), kinds.get(col)
            if k == "other" or (k is not None and old is not None and k != old and {k, old} != {"int", "float"}):
                bad.append(f"{col}: {type(v).__name__} {v!r} where earlier rows have {old}")
        return bad

    def write_row(self, row: dict) -> Path:
        """Write one finished point's row atomically (``rows/<key>.json``)."""
        from ..io import save_json

        self.column_kinds()
        self._note(row)
        return save_json(self.rows_dir / f"{row['key']}.json", row)

    def remove_stale_temps(self) -> None:
        """Remove temporary row files (``rows/.*.part*``) left by a killed sweep (call with the folder lock held)."""
        if self.rows_dir.is_dir():
            for p in self.rows_dir.glob(".*.part*"):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()

    def columns(self, rows) -> list[str]:
        """Column order: key, axes, seed, metrics (sorted), wall_s, worker, finished, error."""
        tail = ["wall_s", "worker", "finished", "error"]
        head = ["key", *self.axes, "seed"]
        seen = {c for r in rows for c in r}
        metrics = sorted(seen - set(head) - set(tail))
        return [c for c in head if c in seen or c == "key"] + metrics + [c for c in tail if c in seen]

    def to_arrow(self, rows: list):
        """A :class:`pyarrow.Table` of ``rows`` (missing values as nulls; int columns with floats become float)."""
        import pyarrow as pa

        cols = {}
        for c in self.columns(rows):
            values = [r.get(c) for r in rows]
            if {_kind(v) for v in values} >= {"int", "float"}:
                values = [None if v is None else float(v) for v in values]
            cols[c] = pa.array(values)
        return pa.table(cols) if cols else pa.table({"key": pa.array([], pa.string())})

    def compact(self) -> int:
        """Rewrite ``table.parquet`` from the table and the row files, then remove those row files; return rows."""
        import pyarrow.parquet as pq

        from ..io import atomic_path

        files = self._row_files()
        rows = self.rows()
        if not files and (self.path.exists() or not rows):
            return len(rows)
        ordered = sorted(rows.values(), key=lambda r: r["key"])
        with atomic_path(self.path) as tmp:
            pq.write_table(self.to_arrow(ordered), tmp)
        for p in files:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        return len(rows)


def sweep_folder(out) -> Path:
    """``out`` as a Path, checked to be a sweep folder (ConfigError naming ``dir`` otherwise)."""
    out = Path(out)
    if not (out / SPEC_NAME).is_file():
        raise ConfigError(f"`dir` must be a sweep folder (with {SPEC_NAME}), got {str(out)!r}")
    return out


def read_rows(out) -> list[dict]:
    """Every finished point of the sweep folder ``out`` as a list of dicts, sorted by key (no lock needed)."""
    out = sweep_folder(out)
    return sorted(ResultsTable(out).rows().values(), key=lambda r: r["key"])


def read_table(out):
    """The results table of the sweep folder ``out`` as a :class:`pyarrow.Table` (finished rows, even mid-sweep).

    Use ``.to_pandas()`` or ``.to_pylist()`` on it as you prefer.
    """
    out = sweep_folder(out)
    table = ResultsTable(out)
    return table.to_arrow(sorted(table.rows().values(), key=lambda r: r["key"]))


def now_utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
