"""The ``neurochaos`` command line.

Each subcommand lives in its own module of this package, exposing
``register(subparsers)`` which adds a parser whose ``func(args) -> int`` calls
one library function. Errors from bad input print one line and exit with
code 2; nothing half-written is left behind (outputs are written atomically).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import NeurochaosError

#: Subcommand modules, in the order shown by ``neurochaos --help``.
COMMAND_MODULES = [
    "simulate",
    "models",
    "demo",
    "train",
    "sample",
    "evaluate",
    "lyapunov",
    "dmft",
    "autocorr",
    "gain_cycle",
    "export_nir",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurochaos", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NeurochaosError as exc:  # user errors; anything else is a bug and keeps its traceback
        print(f"neurochaos {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"neurochaos {args.command}: interrupted; no partial output was written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
