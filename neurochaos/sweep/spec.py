"""A sweep specification: task, fixed parameters, grid and root seed, checked before anything runs.

A spec file (TOML)::

    [sweep]
    task = "simulate-and-measure"   # a built-in name or "package.module:function"
    seed = 0                        # root seed: every point's seed derives from it
    replicates = 3                  # the replicate axis 0, 1, 2

    [params]                        # fixed task parameters (every point)
    T = 200.0
    transient = 50.0

    [grid]                          # axes: their Cartesian product
    g = [0.5, 1.0, 2.0]
    N = [250, 500]

    [[points]]                      # optional explicit points, with the axes' names
    g = 4.0
    N = 1000

Dotted keys (``training.k = [0.01, 0.02]``) name dotted parameters
(``"training.k"``, the overrides of ``train-and-evaluate``).

The **identity** of a spec is its task, its fixed parameters with the task's
defaults filled in, its root seed and the *names* of its axes; its hash names
the results folder's sweep. The axis *values* are not part of it: a spec with
more values (or explicit points) reuses a folder's finished points and runs
only the new ones.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..validation import check_int, fail
from .grid import REPLICATE, Grid
from .tasks import Task, resolve_task

__all__ = ["SweepSpec", "make_spec", "load_spec"]

SECTIONS = {"sweep": ("task", "seed", "replicates"), "params": None, "grid": None, "points": None}


@dataclass(frozen=True, eq=False)
class SweepSpec:
    """A checked sweep: ``task``, ``params`` (fixed, defaults filled in), ``grid`` (values converted), ``seed``.

    Attributes
    ----------
    task : the resolved :class:`~neurochaos.sweep.tasks.Task`
    params : fixed parameter name -> value (the task's defaults for every parameter not on an axis)
    grid : the :class:`~neurochaos.sweep.grid.Grid`, values converted to the task's types
    seed : root seed
    path : the spec file, if read from one
    base : the folder relative ``Path`` parameters were resolved against (the spec file's)
    """

    task: Task
    params: dict
    grid: Grid
    seed: int
    path: str | None = None
    base: str | None = None

    @property
    def identity(self) -> dict:
        """What a results folder must share with this spec to be continued by it.

        ``Path`` parameters enter relative to :attr:`base`, so a clone of the
        repository elsewhere continues the same folders.
        """
        params = dict(self.params)
        if self.base is not None:
            for name, value in params.items():
                kinds = self.task.kinds.get(name) or ()
                if isinstance(value, str) and Path in kinds and str not in kinds:
                    params[name] = os.path.relpath(value, self.base)
        return {"task": self.task.name, "params": params, "seed": self.seed, "axes": list(self.grid.names)}

    @property
    def hash(self) -> str:
        """16 hex digits of the SHA-256 of :attr:`identity` (JSON, sorted keys)."""
        text = json.dumps(self.identity, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_dict(self) -> dict:
        return {**self.identity, "spec_hash": self.hash, "grid": self.grid.to_dict(), "path": self.path}


def _flatten(table: dict, prefix: str = "") -> dict:
    """``{"training": {"k": 1}}`` -> ``{"training.k": 1}`` (TOML dotted keys back to dotted names)."""
    out = {}
    for k, v in table.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, name + "."))
        else:
            out[name] = v
    return out


def make_spec(
    task, grid, *, params=None, seed: int = 0, base: Path | None = None, where: str | None = None
) -> SweepSpec:
    """Check a sweep and return its :class:`SweepSpec`; nothing runs.

    Parameters
    ----------
    task : task name, ``"module:function"`` or an importable function
    grid : a :class:`Grid`, or a dict axis name -> list of values
    params : fixed parameters (dict)
    seed : root seed (>= 0)
    base : folder that relative ``Path`` parameters are resolved against (default: the current one)
    where : the spec file, named in error messages

    Raises
    ------
    ConfigError : unknown task or parameter, empty or ill-typed axis, a parameter both
        fixed and on an axis, a required parameter missing
    """
    try:
        return _make_spec(task, grid, params, seed, base, where)
    except ConfigError as exc:
        text = str(exc)
        if where and not text.endswith(f"({where})"):
            raise ConfigError(f"{text} ({where})") from None
        raise


def _make_spec(task, grid, params, seed, base, where) -> SweepSpec:
    t = resolve_task(task)
    if not isinstance(grid, Grid):
        grid = Grid(grid, where=where)
    params = {} if params is None else params
    if not isinstance(params, dict):
        fail("params", "a table of fixed parameter values", params, where)
    seed = check_int(seed, "seed", min_value=0, where=where)
    axis_names = [n for n in grid.names if n != REPLICATE]

    def convert(name, value, label):
        return t.convert(name, value, label, base)

    for name in axis_names:
        t.check_name(name, f"grid.{name}" if name in grid.axes else "points")
    grid = grid.map_values(convert)
    fixed = {}
    for name, value in params.items():
        t.check_name(name, f"params.{name}")
        if name in axis_names:
            fail(f"params.{name}", "either fixed or on an axis, not both", value, where)
        fixed[name] = convert(name, value, f"params.{name}")
    missing = [n for n in t.required() if n not in fixed and n not in axis_names]
    if missing:
        fail(
            "params",
            f"a value for every required parameter of task {t.name!r} ({', '.join(missing)})",
            sorted(fixed),
            where,
        )
    resolved = {**{n: v for n, v in t.defaults().items() if n not in axis_names}, **fixed}
    return SweepSpec(task=t, params=resolved, grid=grid, seed=seed, path=where, base=str(base or Path.cwd()))


def load_spec(path) -> SweepSpec:
    """Read and check a sweep TOML (see the module docstring); unknown sections or keys are errors naming them."""
    from ..io import read_toml

    path = Path(path)
    data = read_toml(path, "spec")
    where = str(path)
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"`spec` sections must be among {sorted(SECTIONS)}, got unknown {unknown} ({where})")
    head = data.get("sweep")
    if not isinstance(head, dict) or "task" not in head:
        fail("sweep.task", "given in a [sweep] table", head, where)
    bad = sorted(set(head) - set(SECTIONS["sweep"]))
    if bad:
        raise ConfigError(f"`sweep` keys must be among {sorted(SECTIONS['sweep'])}, got unknown {bad} ({where})")
    for name in ("params", "grid"):
        if not isinstance(data.get(name, {}), dict):
            fail(name, f"a [{name}] table", data[name], where)
    points = data.get("points", [])
    if not isinstance(points, list):
        fail("points", "an array of tables ([[points]])", points, where)
    grid = Grid(
        _flatten(data.get("grid", {})),
        [_flatten(p) if isinstance(p, dict) else p for p in points],
        head.get("replicates", 1),
        where=where,
    )
    return make_spec(
        head["task"], grid, params=_flatten(data.get("params", {})), seed=head.get("seed", 0),
        base=path.resolve().parent, where=where,
    )  # fmt: skip
