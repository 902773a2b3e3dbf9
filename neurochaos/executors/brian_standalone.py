"""Executor ``"brian2-cpp"``: Brian2 ``cpp_standalone``, built once, rerun with ``run_args``.

The project is generated and compiled on the first ``run`` (and again only if
the number of chains changes). Every run passes the initial state, the
weights of every pathway, the bias and the gain schedule (a ``TimedArray``)
through ``device.run(run_args=...)``; afterwards each value is read back and
compared, because Brian2 only prints to stderr when a run_args file is wrong.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import warnings

import numpy as np

from ..errors import ConfigError, ExecutorUnavailableError, RunArgsMismatchError
from .base import Executor, RunConfig, Trace, register, resolve_variables, run_inputs
from .brian_common import build_objects, check_rate_config, expected_indices, read_trace, synapse_weights
from .brian_runtime import brian_available

__all__ = ["BrianStandalone", "compiler_available"]

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
    """Brian2 cpp_standalone.

    Parameters
    ----------
    directory : project directory (default: a temporary one, removed on close)
    verify : read every run_args value back after each run (default True)
    progress : let the compiled binary print its progress report
    """

    name = "brian2-cpp"
    device_name = "cpp_standalone"

    def __init__(self, directory: str | None = None, verify: bool = True, progress: bool = False):
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
        check_rate_config(network, config, self)
        ok, why = self._check_available()
        if not ok:
            raise ExecutorUnavailableError(f"executor {self.name!r} cannot run here: {why}")
        if self.network is not None and (network is not self.network or config != self.config):
            self._built_for = None  # a new network shape or duration needs a new build
        self.network, self.config = network, config

    def _create_objects(self, net, cfg, M: int, gains: np.ndarray):
        """The Brian2 objects to build (hook: the spiking executors create theirs)."""
        return build_objects(net, cfg, M, gains)

    def _build(self, M: int, gains: np.ndarray):
        import brian2 as b2
        from brian2.devices.device import all_devices

        if self.directory is None:
            self.directory = tempfile.mkdtemp(prefix=f"neurochaos_{self.device_name}_")
        device = all_devices[self.device_name]
        b2.set_device(self.device_name, build_on_run=False, directory=self.directory)
        device.reinit()
        device.activate(build_on_run=False, directory=self.directory)
        self._configure_prefs()
        net, cfg = self.network, self.config
        objs = self._create_objects(net, cfg, M, gains)
        objs.net.run(cfg.n_steps * cfg.dt * net.tau_ms * b2.ms, namespace={}, report="text" if self.progress else None)
        try:
            device.build(directory=self.directory, run=False, compile=True, with_output=self.progress)
        except Exception as exc:
            raise ExecutorUnavailableError(f"{self.device_name} build failed in {self.directory}: {exc}") from exc
        finally:
            b2.set_device("runtime")  # leave the process in runtime mode for other users of Brian2
        self._device = device
        self._objs = objs
        self._built_for = M
        self._indices_checked = False
        self.n_builds += 1
        _OWNER[self.device_name] = self

    def run(self, x0, *, weights=None, gain=None, bias=None, variables=None) -> Trace:
        if self.network is None:
            raise ConfigError("`prepare` must be called before `run`, got an unprepared executor")
        net, cfg = self.network, self.config
        x0, weights, gains, bias = run_inputs(net, cfg, x0, weights, gain, bias)
        M = x0.shape[0]
        variables = resolve_variables(net, M, variables)
        t_build = self._ensure_built(M, gains)
        objs = self._objs
        wvals = {name: synapse_weights(weights[name], M) for name in objs.synapses}
        run_args = {getattr(objs.group, net.card.state): x0.ravel(), objs.group.b: np.tile(bias, M)}
        for name, S in objs.synapses.items():
            run_args[S.w] = wvals[name]
        for name, v in variables.items():
            run_args[getattr(objs.group, name)] = v.ravel()
        if net.card.uses_gain:
            run_args[objs.timed_array] = np.asarray(gains, dtype=float)
        t1 = time.perf_counter()
        self._device.run(run_args=run_args, with_output=self.progress)
        t_run = time.perf_counter() - t1
        xs, x_final = read_trace(objs, net, cfg, M)
        if self.verify:
            self._verify(objs, xs, x0, bias, wvals, gains, M, variables)
        t = np.arange(cfg.n_records) * cfg.record_every * cfg.dt
        meta = self._run_meta(t_run, t_build)
        return Trace(t, xs, x_final, self.name, meta).check_finite(net.card.state)

    def _ensure_built(self, M: int, gains) -> float:
        """Build unless the current project is ours and made for M chains; return seconds spent."""
        t0 = time.perf_counter()
        if self._built_for != M or _OWNER[self.device_name] is not self:
            if self._built_for is not None:
                warnings.warn(f"{self.name}: rebuilding the standalone project (chains or owner changed)", stacklevel=3)
            self._build(M, gains)
        return time.perf_counter() - t0

    def _run_meta(self, t_run: float, t_build: float) -> dict:
        """Timings and build information of the last run (Trace.meta)."""
        return {
            "network_run_seconds": getattr(self._device, "_last_run_time", None),  # compiled loop, no I/O
            "dt": self.config.dt,
            "method": self.config.method,
            "seconds": t_run,
            "build_seconds": t_build,
            "n_builds": self.n_builds,
            "directory": self.directory,
        }

    def _verify(self, objs, xs, x0, bias, wvals, gains, M, variables):
        def check(what, got, want):
            got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
            if got.shape != want.shape or not np.array_equal(got, want):
                raise RunArgsMismatchError(
                    f"{self.name}: `{what}` read back after the run differs from the value passed in run_args "
                    f"(project {self.directory}); the run used stale or default values"
                )

        check("x0", xs[0], x0)
        check("bias", np.asarray(objs.group.b[:]), np.tile(bias, M))
        for name, v in variables.items():
            check(f"variables[{name!r}]", np.asarray(getattr(objs.group, name)[:]), v.ravel())
        for name, S in objs.synapses.items():
            check(f"weights[{name!r}]", np.asarray(S.w[:]), wvals[name])
            if not self._indices_checked:
                i, j = expected_indices(self.network.N, M)
                check(f"synapse indices of {name!r}", np.stack([S.i[:], S.j[:]]), np.stack([i, j]))
        self._indices_checked = True
        if objs.mon_g is not None:
            n = self.config.n_steps
            check("gain", np.asarray(objs.mon_g.g[0])[:n], np.asarray(gains)[:n])

    def close(self) -> None:
        if _OWNER.get(self.device_name) is self:
            _OWNER[self.device_name] = None
        if self._own_dir and self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
        self._objs = None
        self._built_for = None
