"""Memory a run will need, checked before allocating: a run too large is refused with its estimated size.

Without this, N = 1e6 or T = 1e9 tries to allocate terabytes and ends in a
MemoryError (or the kernel's OOM killer) after minutes. Every estimate is a
lower bound of the arrays the run must hold at once.
"""

from __future__ import annotations

import os

from .errors import ResourceError

__all__ = ["available_bytes", "check_memory", "format_bytes"]


def format_bytes(n: float) -> str:
    """``format_bytes(3 * 2**30) == '3.0 GiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def available_bytes(device: str = "cpu") -> int | None:
    """Free memory of ``device``: MemAvailable of /proc/meminfo (or sysconf) for the CPU, the free memory
    of a CUDA device; None when unknown."""
    if str(device).startswith("cuda"):
        try:
            import torch

            return int(torch.cuda.mem_get_info(torch.device(device))[0])
        except Exception:  # no CUDA here: the device check reports that, not this one
            return None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(nbytes: float, what: str, *, device: str = "cpu", hint: str = "") -> None:
    """Raise ResourceError when ``nbytes`` exceeds the free memory of ``device`` (``what`` names the arrays).

    >>> check_memory(8 * 10**6 * 10**6, "the couplings (N x N float64, N = 1e6)", hint="reduce N")
    Traceback (most recent call last):
    ...
    neurochaos.errors.ResourceError: the couplings (N x N float64, N = 1e6) need 7.3 TiB, ...
    """
    free = available_bytes(device)
    if free is not None and nbytes > free:
        raise ResourceError(
            f"{what} need {format_bytes(nbytes)}, more than the {format_bytes(free)} free on {device}"
            + (f"; {hint}" if hint else "")
        )
