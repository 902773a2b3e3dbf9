"""Executor ``"brian2-cuda"``: brian2cuda ``cuda_standalone`` (code-generated CUDA).

Same protocol as ``brian2-cpp`` (build once, rerun with ``run_args``, read
back every value). Needs the ``cuda`` extra (brian2cuda 1.0b1) and ``nvcc``;
running needs an NVIDIA GPU, compiling does not (``require_gpu=False`` with a
``compute_capability``).

CUDA 13 fixes applied here:

- the generated makefile hard-codes ``-std=c++11``, too old for Thrust/CUB:
  ``-std=c++17`` is added to both the nvcc and the gcc flags (the later flag wins);
- where the toolkit has no cuRAND, its headers and library are taken from the
  pip package ``nvidia-curand`` (installed with torch's CUDA wheels); the
  package ships only ``libcurand.so.<major>``, so a link ``libcurand.so`` is made
  inside the project directory.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np

from ..brian_import import load_brian
from ..errors import ConfigError, ExecutorUnavailableError
from .base import register
from .brian_standalone import BrianStandalone

__all__ = ["BrianCuda", "cuda_missing", "pip_curand", "cuda_preference_names"]


def cuda_preference_names() -> list[str]:
    """Names of brian2cuda's own preferences (``prefs.devices.cuda_standalone.<name>``), sorted."""
    load_brian()
    import brian2cuda  # noqa: F401  (registers the preferences)
    from brian2 import prefs

    return sorted(k.rsplit(".", 1)[1] for k in prefs if k.startswith("devices.cuda_standalone.") and k.count(".") == 2)


def pip_curand() -> tuple[Path, Path] | None:
    """(include dir, library file) of cuRAND from the ``nvidia-curand`` pip package, or None."""
    spec = importlib.util.find_spec("nvidia")
    for root in spec.submodule_search_locations if spec else []:
        for sub in ("cu13", "cu12", "curand"):
            inc, lib = Path(root) / sub / "include", Path(root) / sub / "lib"
            libs = sorted(lib.glob("libcurand.so*")) if lib.is_dir() else []
            if (inc / "curand.h").exists() and libs:
                return inc, libs[0]
    return None


def _toolkit_has_curand() -> bool:
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        return False
    root = Path(nvcc).resolve().parents[1]
    return any((root / d / "curand.h").exists() for d in ("include", "targets/x86_64-linux/include"))


def cuda_missing(require_gpu: bool = True) -> list[str]:
    """What is missing for cuda_standalone on this machine (empty list: nothing)."""
    missing = []
    load_brian()  # brian2cuda imports brian2: import it through neurochaos first
    try:
        import brian2cuda  # noqa: F401
    except Exception as exc:  # ImportError, or brian2cuda failing on import
        missing.append(f"the brian2cuda package (pip install 'neurochaos[cuda]'; import failed: {exc})")
    if shutil.which("nvcc") is None:
        missing.append("the CUDA compiler nvcc on PATH")
    elif not _toolkit_has_curand() and pip_curand() is None:
        missing.append("cuRAND (curand.h): neither in the CUDA toolkit nor from the pip package nvidia-curand")
    if require_gpu:
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
    """brian2cuda cuda_standalone, for rate and spiking cards.

    Parameters
    ----------
    directory, verify, progress, record_v : as :class:`BrianStandalone`
    require_gpu : if False, the project can be generated and compiled on a
        machine without a GPU (``compile_only``); running still needs one
    compute_capability : e.g. 9.0 for H100; None: detected from the GPU
    gpu_id : GPU index to build for when not detecting (default 0)
    profile : as :class:`BrianStandalone` (brian2cuda's own switch: a device synchronisation
        and a timer around each code object)
    cuda_prefs : dict of brian2cuda preferences ``prefs.devices.cuda_standalone.<name>`` for
        this executor's builds (e.g. ``{"parallel_blocks": None}``: one partition per
        multiprocessor); unknown names are refused; restored after each build
    """

    name = "brian2-cuda"
    device_name = "cuda_standalone"

    def __init__(
        self,
        directory=None,
        verify=True,
        progress=False,
        require_gpu=True,
        compute_capability=None,
        gpu_id=0,
        record_v=None,
        profile=False,
        cuda_prefs=None,
    ):
        super().__init__(directory=directory, verify=verify, progress=progress, record_v=record_v, profile=profile)
        self.cuda_prefs = dict(cuda_prefs or {})
        if self.cuda_prefs:
            known = cuda_preference_names()
            bad = sorted(set(self.cuda_prefs) - set(known))
            if bad:
                raise ConfigError(
                    f"`cuda_prefs` must name preferences of prefs.devices.cuda_standalone ({', '.join(known)}), "
                    f"got {bad}"
                )
        self._saved_prefs = {}
        self.require_gpu = require_gpu
        self.compute_capability = compute_capability
        self.gpu_id = gpu_id

    @classmethod
    def available(cls, require_gpu: bool = True):
        missing = cuda_missing(require_gpu)
        if missing:
            return False, "missing " + "; ".join(missing)
        return True, ""

    def _check_available(self):
        return self.available(self.require_gpu)

    def prepare(self, network, config) -> None:
        if not self.require_gpu and self.compute_capability is None:
            raise ExecutorUnavailableError(
                f"executor {self.name!r} without a GPU needs `compute_capability` (e.g. 9.0 for H100), got None"
            )
        super().prepare(network, config)

    def _configure_prefs(self):
        prefs = load_brian().prefs
        cs = prefs.devices.cuda_standalone
        for name, value in self.cuda_prefs.items():
            self._saved_prefs[name] = cs[name]
            cs[name] = value
        cb = prefs.devices.cuda_standalone.cuda_backend
        gcc = list(prefs.codegen.cpp.extra_compile_args_gcc)
        nvcc = list(cb.extra_compile_args_nvcc)
        prefs.codegen.cpp.extra_compile_args_gcc = [a for a in gcc if not a.startswith("-std=")] + ["-std=c++17"]
        cb.extra_compile_args_nvcc = [a for a in nvcc if not a.startswith("-std=")] + ["-std=c++17"]
        if self.compute_capability is not None:
            cb.detect_gpus = False
            cb.compute_capability = float(self.compute_capability)
            cb.gpu_id = int(self.gpu_id)
        if not _toolkit_has_curand():
            found = pip_curand()
            if found is None:  # available() checked this; keep the message if called directly
                raise ExecutorUnavailableError("cuRAND not found (toolkit or pip package nvidia-curand)")
            inc, lib = found
            link_dir = Path(self.directory) / "_curand"
            link_dir.mkdir(parents=True, exist_ok=True)
            link = link_dir / "libcurand.so"
            if not link.exists():
                os.symlink(lib, link)
            for pref, value in (
                (prefs.codegen.cpp.include_dirs, str(inc)),
                (prefs.codegen.cpp.library_dirs, str(link_dir)),
                (prefs.codegen.cpp.runtime_library_dirs, str(lib.parent)),
            ):
                if value not in pref:
                    pref.append(value)

    def _build(self, M, gains):
        try:
            super()._build(M, gains)
        finally:  # the preferences are process-wide: later builds get the defaults back
            cs = load_brian().prefs.devices.cuda_standalone
            for name, value in self._saved_prefs.items():
                cs[name] = value
            self._saved_prefs = {}

    def compile_only(self, chains: int = 1):
        """Generate and compile the project for ``chains`` chains without running it.

        Returns the project directory. Works without a GPU when the executor was
        made with ``require_gpu=False`` and a ``compute_capability``.
        """
        if self.network is None:
            raise ExecutorUnavailableError("`prepare` must be called before `compile_only`")
        gains = self.network.gain.sample(self.config.n_steps + 1, self.config.dt)
        self._build(int(chains), np.asarray(gains))
        return Path(self.directory)

    def _run(self, inputs):
        if not self.require_gpu:
            missing = cuda_missing(require_gpu=True)
            if missing:
                raise ExecutorUnavailableError(
                    f"executor {self.name!r} compiled without a GPU cannot run here: missing " + "; ".join(missing)
                )
        return super()._run(inputs)
