"""Executor ``"brian2-cuda"``: brian2cuda ``cuda_standalone`` (code-generated CUDA).

Same protocol as ``brian2-cpp`` (build once, rerun with ``run_args``, read
back every value). Needs the ``cuda`` extra (brian2cuda 1.0b1), ``nvcc`` and
an NVIDIA GPU. Under CUDA 13 the generated makefile's ``-std=c++11`` is too
old for Thrust/CUB; ``-std=c++17`` is added to both the nvcc and the gcc flags.
"""

from __future__ import annotations

import shutil
import subprocess

from .base import register
from .brian_standalone import BrianStandalone

__all__ = ["BrianCuda", "cuda_missing"]


def cuda_missing() -> list[str]:
    """What is missing for cuda_standalone on this machine (empty list: nothing)."""
    missing = []
    try:
        import brian2cuda  # noqa: F401
    except Exception as exc:  # ImportError, or brian2cuda failing on import
        missing.append(f"the brian2cuda package (pip install 'neurochaos[cuda]'; import failed: {exc})")
    if shutil.which("nvcc") is None:
        missing.append("the CUDA compiler nvcc on PATH")
    smi = shutil.which("nvidia-smi")
    if smi is None:
        missing.append("an NVIDIA GPU and driver (nvidia-smi not found)")
    else:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True)
        if out.returncode != 0 or "GPU" not in out.stdout:
            missing.append("an NVIDIA GPU (nvidia-smi lists none)")
    return missing


@register
class BrianCuda(BrianStandalone):
    """brian2cuda cuda_standalone (same options as :class:`BrianStandalone`)."""

    name = "brian2-cuda"
    device_name = "cuda_standalone"

    @classmethod
    def available(cls):
        missing = cuda_missing()
        if missing:
            return False, "missing " + "; ".join(missing)
        return True, ""

    def _configure_prefs(self):
        from brian2 import prefs

        gcc = list(prefs.codegen.cpp.extra_compile_args_gcc)
        nvcc = list(prefs.devices.cuda_standalone.cuda_backend.extra_compile_args_nvcc)
        prefs.codegen.cpp.extra_compile_args_gcc = [a for a in gcc if not a.startswith("-std=")] + ["-std=c++17"]
        prefs.devices.cuda_standalone.cuda_backend.extra_compile_args_nvcc = [
            a for a in nvcc if not a.startswith("-std=")
        ] + ["-std=c++17"]
