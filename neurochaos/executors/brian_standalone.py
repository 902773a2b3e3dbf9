"""Executor ``"brian2-cpp"``: Brian2 ``cpp_standalone``, built once, rerun with ``run_args``.

The project is generated and compiled on the first ``run`` (and again only if
the number of chains changes). Every run passes the initial state, the
weights of every pathway, the bias and the gain schedule (a ``TimedArray``)
through ``device.run(run_args=...)``; afterwards each value is read back and
compared, because Brian2 only prints to stderr when a run_args file is wrong.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
import warnings

import numpy as np

from ..brian_import import brian_errors, load_brian
from ..errors import ExecutorUnavailableError, RunArgsMismatchError
from .base import Executor, RunConfig, RunInputs, Trace, register
from .brian_common import check_brian_config, kind_adapter
from .brian_runtime import brian_available, default_dt_restored

__all__ = ["BrianStandalone", "compiler_available"]

_log = logging.getLogger(__name__)

#: The standalone device is a process-wide singleton: the executor that built last owns it.
_OWNER = {"cpp_standalone": None, "cuda_standalone": None}


def compiler_available() -> tuple[bool, str]:
    if shutil.which("g++") is None and shutil.which("c++") is None:
        return False, "no C++ compiler (g++) on PATH; install build-essential"
    if shutil.which("make") is None:
        return False, "no `make` on PATH; install make"
    return True, ""


@register
class BrianStandalone(Executor):
    """Brian2 cpp_standalone, for rate and spiking cards.

    Parameters
    ----------
    directory : project directory (default: a temporary one, removed on close)
    verify : read every run_args value back after each run (default True)
    progress : let the compiled binary print its progress report
    record_v : spiking cards: neurons per chain whose potential is recorded (None: all, 0: none)
    profile : build with Brian2's profiling switch (``run(..., profile=True)``): each run's
        ``Trace.meta["profile"]`` holds the seconds spent in each code object, largest first
        (brian2cuda synchronises the GPU after each code object to time it, so a profiled
        run is slower than an unprofiled one; compare code objects, not totals)
    """

    name = "brian2-cpp"
    kinds = ("rate", "spiking")
    device_name = "cpp_standalone"

    def __init__(
        self,
        directory: str | None = None,
        verify: bool = True,
        progress: bool = False,
        record_v: int | None = None,
        profile: bool = False,
    ):
        self.record_v = record_v
        self.profile = bool(profile)
        self._own_dir = directory is None
        self.directory = directory
        self.verify = verify
        self.progress = progress
        self.network = None
        self.n_builds = 0
        self._built_for = None  # number of chains of the current build
        self._objs = None
        self._indices_checked = False

    @classmethod
    def available(cls):
        for ok, why in (brian_available(), compiler_available()):
            if not ok:
                return ok, why
        return True, ""

    def _configure_prefs(self):
        """Hook for subclasses (brian2cuda sets its compiler flags here)."""

    def _check_available(self) -> tuple[bool, str]:
        """Availability for this instance (brian2cuda may compile without a GPU)."""
        return self.available()

    def prepare(self, network, config: RunConfig) -> None:
        self.check_supported(network)
        check_brian_config(network, config, self)
        ok, why = self._check_available()
        if not ok:
            raise ExecutorUnavailableError(f"executor {self.name!r} cannot run here: {why}")
        if self.network is not None and (network is not self.network or config != self.config):
            self._built_for = None  # a new network shape or duration needs a new build
        self.network, self.config = network, config
        self._kind = kind_adapter(network)

    def _build(self, M: int, gains: np.ndarray):
        b2 = load_brian()
        all_devices = load_brian("devices.device").all_devices
        if self.directory is None:
            self.directory = tempfile.mkdtemp(prefix=f"neurochaos_{self.device_name}_")
        device = all_devices[self.device_name]
        b2.set_device(self.device_name, build_on_run=False, directory=self.directory)
        device.reinit()
        device.activate(build_on_run=False, directory=self.directory)
        self._configure_prefs()
        net, cfg = self.network, self.config
        t0 = time.perf_counter()
        _log.info("%s: building the %s project for %d chain(s) in %s", self.name, self.device_name, M, self.directory)
        if self.progress:  # the build is the slow part (tens of seconds): say so before it starts
            print(
                f"{self.name}: generating and compiling the {self.device_name} project for {M} chain(s) in "
                f"{self.directory} (once; later runs pass their inputs as run_args)",
                file=sys.stderr,
                flush=True,
            )
        try:
            with default_dt_restored(), brian_errors(f"{self.name} build of {net.card.path or net.card.name}"):
                objs = self._kind.build(net, cfg, M, gains, self.record_v)
                objs.net.run(
                    cfg.n_steps * cfg.dt * net.tau_ms * b2.ms,
                    namespace={},
                    report="text" if self.progress else None,
                    profile=self.profile,
                )
            try:
                device.build(directory=self.directory, run=False, compile=True, with_output=self.progress)
            except Exception as exc:
                raise ExecutorUnavailableError(f"{self.device_name} build failed in {self.directory}: {exc}") from exc
        finally:
            b2.set_device("runtime")  # leave the process in runtime mode for other users of Brian2
        _log.info("%s: built in %.1f s", self.name, time.perf_counter() - t0)
        if self.progress:
            print(f"{self.name}: built in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
        self._device = device
        self._objs = objs
        self._built_for = M
        self._indices_checked = False
        self.n_builds += 1
        _OWNER[self.device_name] = self

    def _run(self, inputs: RunInputs) -> Trace:
        net, cfg, kind = self.network, self.config, self._kind
        t_build = self._ensure_built(inputs.M, inputs.gains)
        objs = self._objs
        t1 = time.perf_counter()
        with brian_errors(f"{self.name} run of {net.card.path or net.card.name}"):
            run_args = kind.values(objs, net, inputs)
            if net.card.uses_gain:
                run_args[objs.timed_array] = inputs.gains
            self._device.run(run_args=run_args, with_output=self.progress)
        t_run = time.perf_counter() - t1
        trace = kind.read(objs, net, cfg, inputs, self.record_v, self.name, self._run_meta(t_run, t_build))
        if self.verify:
            self._verify(objs, inputs, trace)
        return trace.check_finite(net.card.state)

    def _ensure_built(self, M: int, gains) -> float:
        """Build unless the current project is ours and made for M chains; return seconds spent."""
        t0 = time.perf_counter()
        if self._built_for != M or _OWNER[self.device_name] is not self:
            if self._built_for is not None:
                warnings.warn(f"{self.name}: rebuilding the standalone project (chains or owner changed)", stacklevel=4)
            self._build(M, gains)
        return time.perf_counter() - t0

    def _run_meta(self, t_run: float, t_build: float) -> dict:
        """Timings and build information of the last run (Trace.meta)."""
        profile = None
        if self.profile:  # (code object, seconds) of this run, largest first
            info = self._device.network_get_profiling_info(self._objs.net)
            profile = {name: float(sec) for name, sec in info}
        return {
            "profile": profile,
            "network_run_seconds": getattr(self._device, "_last_run_time", None),  # compiled loop, no I/O
            "dt": self.config.dt,
            "method": self.config.method,
            "seconds": t_run,
            "build_seconds": t_build,
            "n_builds": self.n_builds,
            "directory": self.directory,
        }

    def _verify(self, objs, inputs: RunInputs, trace: Trace) -> None:
        """Compare every value read back after the run with the value passed in run_args."""
        kind = self._kind
        checks = kind.readback(objs, self.network, inputs, trace, check_indices=not self._indices_checked)
        if objs.mon_g is not None:
            n = self.config.n_steps
            checks.append(("gain", np.asarray(objs.mon_g.g[0])[:n], inputs.gains[:n]))
        for what, got, want in checks:
            got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
            same = got.shape == want.shape and (
                np.array_equal(got, want) if kind.rtol == 0 else np.allclose(got, want, rtol=kind.rtol, atol=0.0)
            )
            if not same:
                raise RunArgsMismatchError(
                    f"{self.name}: `{what}` read back after the run differs from the value passed in run_args "
                    f"(project {self.directory}); the run used stale or default values"
                )
        self._indices_checked = True

    def close(self) -> None:
        if _OWNER.get(self.device_name) is self:
            _OWNER[self.device_name] = None
        if self._own_dir and self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
        self._objs = None
        self._built_for = None
