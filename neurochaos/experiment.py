"""The skeleton every ``experiments/*/run.py`` uses: config sections, results folder, run record, command line.

- **Config**: one TOML file of sections (tables). An experiment declares once which
  sections it has and which keys each allows (:func:`read_config`); unknown
  sections or keys are errors naming them, in the one message shape.
- **Results**: ``--out`` if given, else the config's ``[experiment] out``, relative to
  the current directory (run experiments from the repository root); JSON goes to
  ``<folder>/results/``, figures to ``<folder>/``.
- **Run record**: ``results/run.json`` with the config, its path, the seconds per part
  and the machine (:func:`save_run_record`).
- **Command line**: ``python experiments/<name>/run.py [CONFIG] [--out DIR] [--no-progress]``
  (:func:`experiment_cli`); experiments import the installed package, never edit ``sys.path``.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

from .errors import ConfigError
from .io import read_toml, save_json

__all__ = ["read_config", "results_folder", "save_run_record", "experiment_cli"]

#: ``sections[name] = ANY_KEYS``: a section whose keys the experiment checks itself (e.g. nested tables).
ANY_KEYS = None


def read_config(path, sections: dict, *, complete: bool = False, required=("experiment",)) -> dict:
    """Read an experiment's TOML and check its sections and keys.

    Parameters
    ----------
    path : the TOML file
    sections : section name -> allowed keys (a set), or ``ANY_KEYS`` (None) for free-form sections
    complete : every section of ``sections`` must be present with every key (but ``[experiment] out``,
        which has a default): configs without defaults
    required : sections that must be present

    Returns
    -------
    dict of sections (each a dict)
    """
    path = Path(path)
    data = read_toml(path, "config")
    unknown = sorted(set(data) - set(sections))
    if unknown:
        raise ConfigError(f"`sections` must be among {sorted(sections)}, got unknown {unknown} ({path})")
    for name, value in data.items():
        if not isinstance(value, dict):
            raise ConfigError(f"`{name}` must be a [{name}] table, got {value!r} ({path})")
        allowed = sections[name]
        if allowed is not ANY_KEYS and set(value) - set(allowed):
            raise ConfigError(
                f"`{name}` keys must be among {sorted(allowed)}, got unknown {sorted(set(value) - set(allowed))} "
                f"({path})"
            )
    must = set(sections) if complete else set(required)
    missing = sorted(must - set(data))
    if missing:
        raise ConfigError(f"`sections` must include {missing}, got none of them ({path})")
    if complete:
        for name, allowed in sections.items():
            lacking = sorted(set(allowed or ()) - set(data[name]) - ({"out"} if name == "experiment" else set()))
            if lacking:  # [experiment] out has a default
                raise ConfigError(f"`{name}` keys must include {lacking}, got none of them ({path})")
    return data


def results_folder(out, configured: str | None, default: str) -> Path:
    """The one rule: ``out`` if given, else ``configured`` (the config's ``[experiment] out``), else ``default``.

    Relative paths are relative to the current directory. Creates ``<folder>/results``.
    """
    folder = Path(out if out is not None else configured or default)
    (folder / "results").mkdir(parents=True, exist_ok=True)
    return folder


def save_run_record(folder: Path, config_path, config, seconds: dict, **extra) -> Path:
    """Write ``results/run.json``: config, its path, seconds per part, total, machine, Python, ``extra``."""
    return save_json(
        Path(folder) / "results" / "run.json",
        {
            "config_path": str(config_path),
            "config": config,
            "seconds": seconds,
            "total_seconds": float(sum(seconds.values())),
            "machine": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            **extra,
        },
    )


def experiment_cli(main, doc: str, default_config: Path, argv=None, *, options=()) -> int:
    """The command line of an experiment: ``[CONFIG] [--out DIR] [--no-progress]`` plus ``options``.

    ``options`` are ``(flag, kwargs)`` pairs for ``add_argument``; their values are passed
    to ``main`` by destination name. Prints the results folder and returns 0; a
    :class:`~neurochaos.errors.NeurochaosError` (bad config, missing data ...) prints one
    line and returns 2, as ``neurochaos`` does; ``__main__`` blocks pass the code to ``sys.exit``.
    """
    import logging
    import sys

    from .errors import NeurochaosError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument(
        "config", nargs="?", default=str(default_config), help=f"TOML config (default {default_config.name})"
    )
    p.add_argument("--out", default=None, help="results folder (default: the config's [experiment] out)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")
    for flag, kw in options:
        p.add_argument(flag, **kw)
    a = vars(p.parse_args(argv))
    config = Path(a.pop("config"))
    if not config.exists() and (default_config.parent / config).exists():
        config = default_config.parent / config  # a bare name: the experiment's own folder
    out, progress = a.pop("out"), not a.pop("no_progress")
    try:
        print(main(config, out, progress=progress, **a))
    except NeurochaosError as exc:
        print(f"{Path(sys.argv[0]).name}: error: {exc}", file=sys.stderr)
        return 2
    return 0
