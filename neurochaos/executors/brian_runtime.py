"""Executor ``"brian2-runtime"``: Brian2 runtime mode (the reference).

Each run creates the objects afresh in runtime mode with the ``numpy`` code
generation target (no compiler needed) and sets values directly.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np

from ..errors import ConfigError, ExecutorUnavailableError
from .base import Executor, RunConfig, Trace, register, resolve_variables, run_inputs
from .brian_common import build_objects, check_rate_config, read_trace, synapse_weights

__all__ = ["BrianRuntime", "brian_available"]


def brian_available() -> tuple[bool, str]:
    try:
        import brian2  # noqa: F401
    except ImportError as exc:  # pragma: no cover - brian2 is a hard dependency
        return False, f"brian2 is not importable: {exc}"
    return True, ""


@contextlib.contextmanager
def runtime_device(target: str):
    """Activate Brian2's runtime device with ``target``; restore the previous device after."""
    import brian2 as b2
    from brian2.devices.device import get_device

    previous = get_device()
    old_target = b2.prefs.codegen.target
    b2.set_device("runtime")
    b2.prefs.codegen.target = target
    try:
        yield
    finally:
        b2.prefs.codegen.target = old_target
        if previous is not get_device():
            b2.devices.device.active_device = previous


@register
class BrianRuntime(Executor):
    """Brian2 runtime mode.

    Parameters
    ----------
    target : Brian2 code generation target, "numpy" (default) or "cython"
    """

    name = "brian2-runtime"

    def __init__(self, target: str = "numpy", progress: bool = False):
        if target not in ("numpy", "cython"):
            raise ConfigError(f"`target` must be 'numpy' or 'cython', got {target!r}")
        self.target = target
        self.progress = progress
        self.network = None

    @classmethod
    def available(cls):
        return brian_available()

    def prepare(self, network, config: RunConfig) -> None:
        self.check_supported(network)
        check_rate_config(network, config, self)
        ok, why = self.available()
        if not ok:
            raise ExecutorUnavailableError(why)
        self.network, self.config = network, config

    def run(self, x0, *, weights=None, gain=None, bias=None, variables=None) -> Trace:
        import brian2 as b2

        if self.network is None:
            raise ConfigError("`prepare` must be called before `run`, got an unprepared executor")
        net, cfg = self.network, self.config
        x0, weights, gains, bias = run_inputs(net, cfg, x0, weights, gain, bias)
        M = x0.shape[0]
        variables = resolve_variables(net, M, variables)
        t0 = time.perf_counter()
        with runtime_device(self.target):
            objs = build_objects(net, cfg, M, gains)
            setattr(objs.group, net.card.state, x0.ravel())
            objs.group.b = np.tile(bias, M)
            for name, v in variables.items():
                setattr(objs.group, name, v.ravel())
            for name, S in objs.synapses.items():
                S.w = synapse_weights(weights[name], M)
            objs.net.run(
                cfg.n_steps * cfg.dt * net.tau_ms * b2.ms, namespace={}, report="text" if self.progress else None
            )
            xs, x_final = read_trace(objs, net, cfg, M)
        elapsed = time.perf_counter() - t0
        t = np.arange(cfg.n_records) * cfg.record_every * cfg.dt
        return Trace(
            t, xs, x_final, self.name, {"dt": cfg.dt, "method": cfg.method, "seconds": elapsed, "target": self.target}
        ).check_finite(net.card.state)
