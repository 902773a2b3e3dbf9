"""The grid of a sweep: named axes (a Cartesian product), explicit extra points, replicates; one seed per point.

A *point* is a dict of parameter values, one per axis. Its **key** is a hash of
those values (never of its position in the grid), and its **seed** comes from
the sweep's root seed through :class:`numpy.random.SeedSequence`, with the
key's hash as the ``spawn_key``. So a point's seed depends only on the root
seed and the point's own parameters:

- the results do not depend on scheduling order or on the number of workers;
- adding values to an axis, or explicit points, leaves the seeds (and finished
  results) of every existing point unchanged; only new points are run;
- two replicates of one parameter setting differ only through the ``replicate``
  axis (0, 1, ...), which every grid has and which is not passed to the task.

The alternative, ``SeedSequence(root).spawn(n)`` by position, would reseed every
point after an inserted value, so a grown grid could reuse nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np

from ..validation import check_int, fail

__all__ = ["Grid", "Point", "point_key", "point_seed", "REPLICATE", "SCALARS"]

#: The axis every grid has: replicate 0 .. replicates - 1 (changes the seed, is not passed to the task).
REPLICATE = "replicate"
#: Python types an axis value may have.
SCALARS = (bool, int, float, str)
#: Seeds handed to tasks are in [0, 2**31), so ``seed + k`` stays a valid seed for Brian2 and numpy's legacy API.
SEED_BITS = 31


def _canonical(params: dict) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_key(params: dict) -> str:
    """The 16 hex digits naming a point: the first 64 bits of the SHA-256 of its parameters (JSON, sorted keys).

    ``1`` and ``1.0`` are different values (tasks convert integers given for
    float parameters before the key is taken, see :mod:`neurochaos.sweep.tasks`).

    >>> point_key({"g": 1.5, "N": 100, "replicate": 0}) == point_key({"N": 100, "replicate": 0, "g": 1.5})
    True
    """
    return hashlib.sha256(_canonical(params).encode()).hexdigest()[:16]


def point_seed(root_seed: int, params: dict) -> int:
    """The seed of the point ``params`` in a sweep with root seed ``root_seed``: an int in [0, 2**31).

    ``SeedSequence(root_seed, spawn_key=<the first four 32-bit words of the SHA-256 of params>)``,
    its first 32-bit word, top bit dropped.

    >>> point_seed(0, {"g": 2.0, "replicate": 0}) == point_seed(0, {"replicate": 0, "g": 2.0})
    True
    >>> point_seed(0, {"g": 2.0, "replicate": 0}) != point_seed(0, {"g": 2.0, "replicate": 1})
    True
    """
    digest = hashlib.sha256(_canonical(params).encode()).digest()
    words = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    state = np.random.SeedSequence(root_seed, spawn_key=words).generate_state(1, np.uint32)
    return int(state[0]) >> (32 - SEED_BITS)


@dataclass(frozen=True)
class Point:
    """One grid point: ``params`` (axis name -> value, ``replicate`` included), its ``key`` and ``seed``."""

    params: dict
    key: str
    seed: int

    @property
    def task_params(self) -> dict:
        """The values passed to the task: every axis but ``replicate``."""
        return {k: v for k, v in self.params.items() if k != REPLICATE}


def _check_value(value, name: str, where: str | None):
    if isinstance(value, float) and not math.isfinite(value):
        fail(name, "finite numbers, strings or booleans", value, where)
    if not isinstance(value, SCALARS):
        fail(name, "numbers, strings or booleans (one value per point)", value, where)
    return value


@dataclass(frozen=True, init=False)
class Grid:
    """A product of named axes, plus explicit points, each repeated ``replicates`` times.

    Parameters
    ----------
    axes : dict axis name -> non-empty list of values (numbers, strings, booleans); the
        Cartesian product of the axes, in the order given, is the grid
    points : extra points, each a dict with exactly the axes' names (or, without axes,
        all with the same names); a point equal to one of the product is the same point
    replicates : repetitions of every point (the ``replicate`` axis, 0 .. replicates - 1)

    >>> g = Grid({"g": [0.5, 2.0], "N": [100]}, points=[{"g": 4.0, "N": 200}], replicates=2)
    >>> len(g), g.names
    (6, ('g', 'N', 'replicate'))
    >>> [p.params for p in g.points(seed=0)][:2]
    [{'g': 0.5, 'N': 100, 'replicate': 0}, {'g': 0.5, 'N': 100, 'replicate': 1}]
    """

    axes: dict
    extra_points: tuple
    replicates: int

    def __init__(self, axes=None, points=(), replicates: int = 1, *, where: str | None = None):
        axes = {} if axes is None else axes
        if not isinstance(axes, dict):
            fail("grid", "a table of axes (name -> list of values)", axes, where)
        checked = {}
        for name, values in axes.items():
            label = f"grid.{name}"
            if not isinstance(name, str) or not name:
                fail("grid", "a table whose axis names are non-empty strings", name, where)
            if name == REPLICATE:
                fail(label, "set through `replicates` (the replicate axis is made from it)", values, where)
            if isinstance(values, str | bytes) or not isinstance(values, list | tuple) or not values:
                fail(label, "a non-empty list of values", values, where)
            values = tuple(_check_value(v, label, where) for v in values)
            if len({(type(v), v) for v in values}) != len(values):
                fail(label, "a list of distinct values", list(values), where)
            checked[name] = values
        if isinstance(points, dict) or not isinstance(points, list | tuple):
            fail("points", "a list of points (tables of parameter values)", points, where)
        names = tuple(checked)
        extra = []
        for i, p in enumerate(points):
            label = f"points[{i}]"
            if not isinstance(p, dict) or not p:
                fail(label, "a non-empty table of parameter values", p, where)
            want = set(names or (extra[0] if extra else p))
            if set(p) != want:
                fail(label, f"a table with the names {sorted(want)}", sorted(p), where)
            if REPLICATE in p:
                fail(f"{label}.{REPLICATE}", "left out (every point gets the replicate axis)", p[REPLICATE], where)
            extra.append({k: _check_value(v, f"{label}.{k}", where) for k, v in p.items()})
        if not checked and not extra:
            fail("grid", "at least one axis or explicit point", "an empty grid", where)
        object.__setattr__(self, "axes", checked)
        object.__setattr__(self, "extra_points", tuple(extra))
        object.__setattr__(self, "replicates", check_int(replicates, "replicates", min_value=1, where=where))

    @property
    def names(self) -> tuple:
        """Every axis name, ``replicate`` last."""
        first = tuple(self.axes) or tuple(self.extra_points[0])
        return (*first, REPLICATE)

    def parameter_values(self) -> dict:
        """Axis name (without ``replicate``) -> list of every value it takes (product and explicit points)."""
        out = {name: list(values) for name, values in self.axes.items()}
        for p in self.extra_points:
            for k, v in p.items():
                values = out.setdefault(k, [])
                if not any(type(u) is type(v) and u == v for u in values):
                    values.append(v)
        return out

    def map_values(self, convert) -> Grid:
        """A copy whose values went through ``convert(name, value, label) -> value`` (the task's type checks)."""
        axes = {n: [convert(n, v, f"grid.{n}") for v in vals] for n, vals in self.axes.items()}
        points = [{k: convert(k, v, f"points[{i}].{k}") for k, v in p.items()} for i, p in enumerate(self.extra_points)]
        return Grid(axes, points, self.replicates)

    def _settings(self):
        import itertools

        for combo in itertools.product(*self.axes.values()) if self.axes else ():
            yield dict(zip(self.axes, combo))
        for p in self.extra_points:
            yield dict(p)

    def points(self, seed: int) -> list[Point]:
        """Every point (product first, then the explicit points, each replicate in turn), duplicates removed."""
        seed = check_int(seed, "seed", min_value=0)
        out, keys = [], set()
        for setting in self._settings():
            for r in range(self.replicates):
                params = {**setting, REPLICATE: r}
                key = point_key(params)
                if key not in keys:
                    keys.add(key)
                    out.append(Point(params, key, point_seed(seed, params)))
        return out

    def __len__(self) -> int:
        return len(self.points(0))

    def to_dict(self) -> dict:
        axes = {k: list(v) for k, v in self.axes.items()}
        return {"axes": axes, "points": [dict(p) for p in self.extra_points], "replicates": self.replicates}
