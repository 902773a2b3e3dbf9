"""Flags shared by the subcommands: one name, one meaning and one help text per concept.

Times are in units of tau everywhere (the cards' time constant). Each helper
adds one group of flags to a subcommand's parser. Per-command defaults are
passed in; the help text says what the default is.
"""

from __future__ import annotations

__all__ = [
    "add_model",
    "add_network",
    "add_integration",
    "add_execution",
    "add_seed",
    "add_reporting",
    "require_suffix",
    "add_overwrite",
    "check_outputs",
    "write_outputs",
    "figure_writer",
]


def _default(value, card_default: str = "the card's") -> str:
    return card_default if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def add_model(p, help: str = "model card name (see `neurochaos models`) or path to a .toml card"):
    """The positional MODEL."""
    p.add_argument("model", help=help)


def add_network(p, *, N=None, g=None, P=None, with_P: bool = True):
    """``--N``, ``--g`` and ``--P`` (stored patterns of structured cards)."""
    p.add_argument("--N", type=int, default=N, help=f"number of units (default: {_default(N)})")
    p.add_argument("--g", type=float, default=g, help=f"gain (default: {_default(g)})")
    if with_P:
        p.add_argument(
            "--P", type=int, default=P, help=f"stored patterns, for structured cards (default: {_default(P)})"
        )


def add_integration(p, *, T: float, T_help: str = "duration", transient: float | None = None, chains: int | None = 1):
    """``--T``, ``--transient`` (optional), ``--dt``, ``--method`` and ``--chains`` (optional); times in tau."""
    from ..executors.integrators import METHOD_HELP

    p.add_argument("--T", type=float, default=T, help=f"{T_help}, units of tau (default {T:g})")
    if transient is not None:
        p.add_argument(
            "--transient", type=float, default=transient, help=f"discarded time, units of tau (default {transient:g})"
        )
    p.add_argument("--dt", type=float, default=None, help="step in units of tau (default: the card's)")
    p.add_argument("--method", default=None, help=METHOD_HELP)
    if chains is not None:
        p.add_argument("--chains", type=int, default=chains, help=f"independent chains M (default {chains})")


def add_execution(
    p, *, executor: bool = True, device: str | None = "cpu", dtype: bool = True, executor_default: str = "torch"
):
    """``--executor`` (where the model runs), ``--device`` (torch device) and ``--dtype``."""
    if executor:
        auto = " (auto: numpy for rate cards on the CPU, torch on a GPU, brian2-runtime for spiking cards)"
        p.add_argument(
            "--executor",
            default=executor_default,
            help="executor: torch, numpy, brian2-runtime, brian2-cpp or brian2-cuda"
            + (", or auto" if executor_default == "auto" else "")
            + f" (default {executor_default})"
            + (auto if executor_default == "auto" else ""),
        )
    where = device or "the config's"
    p.add_argument("--device", default=device, help=f"torch device, e.g. cpu or cuda (default: {where})")
    if dtype:
        p.add_argument("--dtype", default="float64", choices=["float64", "float32"], help="float precision")


def add_seed(p, help: str = "seed of every random draw"):
    p.add_argument("--seed", type=int, default=0, help=f"{help} (default 0)")


def add_reporting(p, *, json: bool = True, progress: bool = True):
    """``--json`` (one JSON object on stdout) and ``--no-progress``."""
    if json:
        p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    if progress:
        p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def require_suffix(path, suffix: str, flag: str = "--out") -> None:
    """Raise ConfigError unless ``path`` ends in ``suffix`` (e.g. ".npz")."""
    from ..errors import ConfigError

    if not str(path).endswith(suffix):
        raise ConfigError(f"`{flag}` must end in {suffix}, got {str(path)!r}")


def add_overwrite(p):
    """``--overwrite``: replace existing output files (without it, a command refuses them before any work)."""
    p.add_argument("--overwrite", action="store_true", help="replace existing output files (default: refuse them)")


def check_outputs(args, *paths, flag: str = "--out") -> None:
    """Refuse, before any work, outputs that exist (unless ``--overwrite``) or cannot be written.

    For ``--plot``, the suffix must also be an image format matplotlib writes.
    """
    from pathlib import Path

    from ..io import check_new

    if flag == "--plot" and any(p is not None for p in paths):
        from matplotlib.figure import Figure

        formats = sorted(Figure().canvas.get_supported_filetypes())
        for p in paths:
            if p is not None and Path(p).suffix.lstrip(".").lower() not in formats:
                from ..validation import fail

                fail(flag, f"an image file ending in one of {', '.join('.' + f for f in formats)}", str(p))
    check_new(paths, getattr(args, "overwrite", False), flag)


def write_outputs(writers: dict) -> list:
    """Write ``{path: writer(tmp_path)}`` as one set: every file appears, or none (see :func:`neurochaos.io.output_set`)."""
    from pathlib import Path

    from ..io import output_set

    paths = [Path(p) for p in writers]
    with output_set(paths, [p.suffix or ".png" for p in paths]) as temps:
        for tmp, writer in zip(temps, writers.values()):
            writer(tmp)
    return paths


def figure_writer(fig, path, dpi: float = 110):
    """A writer for :func:`write_outputs` that saves ``fig`` in the format of ``path``'s suffix (png if none)."""
    from pathlib import Path

    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    return lambda tmp: fig.savefig(tmp, dpi=dpi, format=fmt)
