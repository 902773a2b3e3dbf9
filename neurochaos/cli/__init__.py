"""The ``neurochaos`` command line.

Each subcommand lives in its own module of this package, exposing
``register(subparsers)`` which adds a parser whose ``func(args) -> int`` calls
one library function. Every failure prints one line to stderr. Exit codes: 0
done; 2 bad input or environment (a neurochaos error, an OS error naming its
path, a run too large for the memory); 1 an internal bug (one line; ``-v``
shows the traceback); 130 / 143 stopped by SIGINT / SIGTERM (training first
writes a checkpoint); 141 the reader of stdout went away. Outputs are
written atomically and never replace an existing file without ``--overwrite``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..errors import NeurochaosError, RunInterrupted

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
    "compare",
    "sweep",
    "sweep_plot",
]


def _version() -> str:
    from .. import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurochaos", description=__doc__.splitlines()[0])
    parser.add_argument(
        "-v", "--verbose", action="count", default=0,
        help="log what the work is doing (-v: INFO, -vv: DEBUG) and print the traceback of internal errors",
    )  # fmt: skip
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="errors only: no log lines, no progress bars (as --no-progress)"
    )
    parser.add_argument("--version", action="version", version=f"neurochaos {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    for command in sub.choices.values():  # -v also after the command name
        command.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _os_error(exc: OSError) -> str:
    where = " -> ".join(repr(str(f)) for f in (exc.filename, exc.filename2) if f is not None)
    return f"{exc.strerror or exc}{': ' + where if where else ''}"


def _traceback(args) -> None:
    if getattr(args, "verbose", False):
        import traceback

        traceback.print_exc()


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.quiet and hasattr(args, "no_progress"):
        args.no_progress = True
    from ..logs import configure, level_for

    configure(level_for(args.verbose, args.quiet))
    prefix = f"neurochaos {args.command}:"
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except RunInterrupted as exc:  # training saved a checkpoint first
        print(f"{prefix} {exc}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print(f"{prefix} interrupted; files already complete were kept, none was half-written", file=sys.stderr)
        return 130
    except NeurochaosError as exc:  # bad input, missing data or executor, divergence, locked output
        print(f"{prefix} error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `neurochaos ... | head`: stop quietly, as shell tools do
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), sys.stdout.fileno())
        return 141
    except OSError as exc:  # disk full, read-only folder, missing file: the environment, not a bug
        _traceback(args)
        print(f"{prefix} error: {_os_error(exc)}", file=sys.stderr)
        return 2
    except MemoryError as exc:
        _traceback(args)
        print(f"{prefix} error: out of memory ({exc or 'allocation failed'}); reduce N, T or chains", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug in neurochaos: one line, the traceback behind -v
        _traceback(args)
        hint = "" if args.verbose else "; run with -v for the traceback"
        print(f"{prefix} internal error (a bug, please report it): {type(exc).__name__}: {exc}{hint}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
