"""Tasks: the function a sweep runs at each grid point, by registered name or as ``"module:function"``.

A task is a plain function taking keyword parameters and returning a dict of
scalar metrics (numbers, strings, booleans or None), one row of the results
table. Two parameters are filled in by the sweep, when the task declares them:

- ``seed``: the point's seed (:func:`neurochaos.sweep.grid.point_seed`), an int in [0, 2**31);
- ``workdir``: the point's own folder (``<out>/points/<key>/``) for artefacts (spectra,
  checkpoints); a task killed and retried finds there what it wrote before.

Every other parameter comes from the spec's fixed ``[params]`` or from a grid
axis. The parameters' annotations are checked against the values before anything
runs (an ``int`` parameter refuses 1.5, a ``float`` one takes 2 as 2.0, a ``Path``
takes a string resolved against the spec's folder); unknown names are refused
unless the task takes ``**kwargs``. Values a task refuses at run time (N = 0, say)
are recorded as that point's error and the sweep goes on.

The built-in tasks (:mod:`neurochaos.sweep.builtin_tasks`) are registered with
:func:`register_task`; any importable ``"package.module:function"`` works the
same way, as long as the workers can import it too.
"""

from __future__ import annotations

import importlib
import inspect
import os
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..validation import fail

__all__ = ["Task", "register_task", "task_names", "resolve_task", "SWEEP_SUPPLIED", "RESERVED_COLUMNS"]

_REGISTRY: dict[str, Callable] = {}
#: Parameters the sweep fills in itself.
SWEEP_SUPPLIED = ("seed", "workdir")
#: Columns of the results table besides parameters and metrics.
RESERVED_COLUMNS = ("key", "replicate", "seed", "wall_s", "worker", "finished", "error")


def register_task(name: str):
    """Decorator: register ``fn`` as the built-in task ``name``.

    >>> @register_task("double-it")
    ... def double_it(*, x: float = 1.0) -> dict:
    ...     return {"y": 2 * x}
    >>> resolve_task("double-it").fn(x=3.0)
    {'y': 6.0}
    >>> _ = _REGISTRY.pop("double-it")
    """

    def decorate(fn):
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"task name {name!r} is already registered for {_REGISTRY[name]!r}")
        _REGISTRY[name] = fn
        return fn

    return decorate


def _load_builtins() -> None:
    from . import builtin_tasks  # noqa: F401  (registers on import)


def task_names() -> list[str]:
    """The registered task names, sorted."""
    _load_builtins()
    return sorted(_REGISTRY)


def _kinds(annotation) -> frozenset | None:
    """The scalar types an annotation allows (``None`` for the None type), or None when it is not checked."""
    if annotation is inspect.Parameter.empty:
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation) if origin in (typing.Union, types.UnionType) else (annotation,)
    kinds = set()
    for a in args:
        if a is type(None):
            kinds.add(None)
        elif a in (bool, int, float, str):
            kinds.add(a)
        elif isinstance(a, type) and issubclass(a, os.PathLike):
            kinds.add(Path)
        else:
            return None
    return frozenset(kinds)


_WORDS = {bool: "true or false", int: "an integer", float: "a real number", str: "a string", Path: "a path (string)"}


@dataclass(frozen=True, eq=False)
class Task:
    """A resolved task.

    Attributes
    ----------
    name : the registered name or ``"module:function"`` (what workers import)
    fn : the function
    parameters : name -> :class:`inspect.Parameter`, without ``seed`` and ``workdir``
    kinds : name -> allowed scalar types from the annotation (None: unchecked)
    takes_seed, takes_workdir : whether the sweep passes ``seed`` / ``workdir``
    any_keywords : the function takes ``**kwargs`` (any parameter name is accepted)
    """

    name: str
    fn: Callable
    parameters: dict
    kinds: dict
    takes_seed: bool
    takes_workdir: bool
    any_keywords: bool

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.fn) or ""

    def convert(self, name: str, value, label: str, base: Path | None = None):
        """Check ``value`` against parameter ``name``'s annotation; return it converted (int -> float, Path)."""
        kinds = self.kinds.get(name)
        if kinds is None:
            return value
        ok = (
            (isinstance(value, bool) and bool in kinds)
            or (type(value) is int and (int in kinds or float in kinds))
            or (isinstance(value, float) and float in kinds)
            or (isinstance(value, str) and (str in kinds or Path in kinds))
            or (value is None and None in kinds)
        )
        if not ok:
            words = " or ".join(_WORDS[k] for k in (bool, int, float, str, Path) if k in kinds)
            ann = self.parameters[name].annotation
            ann = getattr(ann, "__name__", None) or str(ann).replace("typing.", "")
            fail(label, f"{words} (task {self.name!r} takes {name}: {ann})", value)
        if type(value) is int and int not in kinds:
            return float(value)
        if isinstance(value, str) and Path in kinds and str not in kinds:
            p = Path(value).expanduser()
            return str(p if p.is_absolute() else (base or Path.cwd()) / p)
        return value

    def check_name(self, name: str, label: str) -> None:
        """Refuse a parameter name the task does not take, or one the sweep supplies."""
        if name in SWEEP_SUPPLIED or name in RESERVED_COLUMNS:
            fail(
                label, f"a task parameter, not one the sweep sets itself ({', '.join(RESERVED_COLUMNS)}, workdir)", name
            )
        if name not in self.parameters and not self.any_keywords:
            names = ", ".join(sorted(self.parameters)) or "none"
            fail(label, f"a parameter of task {self.name!r} (one of: {names})", name)

    def defaults(self) -> dict:
        """Parameter name -> default value, for the parameters that have one."""
        return {n: p.default for n, p in self.parameters.items() if p.default is not inspect.Parameter.empty}

    def required(self) -> list[str]:
        return [n for n, p in self.parameters.items() if p.default is inspect.Parameter.empty]


def _describe(fn: Callable, name: str) -> Task:
    sig = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # annotations that do not evaluate: leave them unchecked
        hints = {}
    params, kinds, any_kw = {}, {}, False
    for pname, p in sig.parameters.items():
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            any_kw = True
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL or pname in SWEEP_SUPPLIED:
            continue
        if p.kind is inspect.Parameter.POSITIONAL_ONLY:
            fail("task", "a function whose parameters can be given by keyword", f"{name} ({pname} is positional-only)")
        params[pname] = p.replace(annotation=hints.get(pname, p.annotation))
        kinds[pname] = _kinds(params[pname].annotation)
    return Task(
        name=name,
        fn=fn,
        parameters=params,
        kinds=kinds,
        takes_seed="seed" in sig.parameters,
        takes_workdir="workdir" in sig.parameters,
        any_keywords=any_kw,
    )


def resolve_task(task) -> Task:
    """The :class:`Task` for a registered name, a ``"module:function"`` string or an importable function.

    Raises ConfigError naming ``task`` for an unknown name, a module or attribute that
    cannot be imported, or a function workers could not import (defined in
    ``__main__`` or inside another function).
    """
    if isinstance(task, Task):
        return task
    if callable(task) and not isinstance(task, str):
        module, qual = getattr(task, "__module__", None), getattr(task, "__qualname__", "")
        if not module or module == "__main__" or "<" in qual:
            fail(
                "task",
                "a function the workers can import (defined at the top level of a module, not in __main__)",
                f"{module}:{qual}",
            )
        name = f"{module}:{qual}"
        for registered, fn in _REGISTRY.items():
            if fn is task:
                name = registered
        return _describe(task, name)
    if not isinstance(task, str) or not task:
        fail("task", "a task name or 'module:function'", task)
    _load_builtins()
    if task in _REGISTRY:
        return _describe(_REGISTRY[task], task)
    if ":" not in task:
        fail(
            "task",
            "one of " + ", ".join(repr(n) for n in sorted(_REGISTRY)) + " or an importable 'module:function'",
            task,
        )
    module_name, _, attr = task.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"`task` must be an importable 'module:function', got {task!r} ({exc})") from None
    fn = module
    for part in attr.split("."):
        fn = getattr(fn, part, None)
    if not callable(fn):
        fail("task", f"an importable 'module:function' (module {module_name!r} has no function {attr!r})", task)
    return _describe(fn, task)
