"""What every benchmark result records (machine, versions, command, time) and where it is written.

Imported by the ``bench_*.py`` scripts, which run as ``python benchmarks/bench_X.py``
(this folder is then first on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import socket
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> dict:
    """Host, CPU, cores, load, library versions, the GPU if any, the command line and the time."""
    import numpy as np

    versions = {"python": platform.python_version(), "numpy": np.__version__}
    cuda = None
    for name in ("torch", "brian2", "jax"):
        module = sys.modules.get(name)  # record what the benchmark imported, import nothing new
        if module is not None:
            versions[name] = getattr(module, "__version__", "?")
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        cuda = {"device": torch.cuda.get_device_name(0), "cuda": torch.version.cuda}
    return {
        "host": socket.gethostname(),
        "machine": {
            "cpu": cpu_name(),
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_at_end": os.getloadavg(),
        },
        "versions": versions,
        "cuda": cuda,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def write_result(record: dict, out: str | None, default_name: str) -> Path:
    """Save ``record`` with :func:`environment` as JSON at ``out`` (default ``results/<default_name>.json``)."""
    from neurochaos.io import save_json

    path = Path(out) if out else RESULTS / f"{default_name}.json"
    save_json(path, {**environment(), **record})
    print(path)
    return path
