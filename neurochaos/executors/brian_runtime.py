"""Executor ``"brian2-runtime"``: Brian2 runtime mode (the reference), rate and spiking cards.

Each run creates the objects afresh in runtime mode with the ``numpy`` code
generation target (no compiler needed) and sets values directly.
"""

from __future__ import annotations

import contextlib
import time

from ..brian_import import brian_errors, load_brian
from ..errors import ConfigError, ExecutorUnavailableError
from .base import Executor, RunConfig, RunInputs, Trace, register
from .brian_common import check_brian_config, kind_adapter

__all__ = ["BrianRuntime", "brian_available", "runtime_device", "default_dt_restored"]


def brian_available() -> tuple[bool, str]:
    try:
        load_brian()
    except ImportError as exc:  # pragma: no cover - brian2 is a hard dependency
        return False, f"brian2 is not importable: {exc}"
    return True, ""


@contextlib.contextmanager
def runtime_device(target: str):
    """Activate Brian2's runtime device with ``target``; restore the previous device after."""
    b2, devices = load_brian(), load_brian("devices.device")  # the module, not the `b2.devices.device` proxy
    previous = devices.get_device()
    old_target = b2.prefs.codegen.target
    b2.set_device("runtime")
    b2.prefs.codegen.target = target
    try:
        yield
    finally:
        b2.prefs.codegen.target = old_target
        if previous is not devices.get_device():
            devices.active_device = previous


@contextlib.contextmanager
def default_dt_restored():
    """Restore Brian2's ``defaultclock.dt`` (the spiking build sets it) when done."""
    b2 = load_brian()
    old = b2.defaultclock.dt
    try:
        yield
    finally:
        b2.defaultclock.dt = old


@register
class BrianRuntime(Executor):
    """Brian2 runtime mode, for rate and spiking cards (objects created afresh each run).

    Parameters
    ----------
    target : Brian2 code generation target, "numpy" (default) or "cython"
    progress : print Brian2's text progress report
    record_v : spiking cards: neurons per chain whose potential is recorded (None: all, 0: none)
    """

    name = "brian2-runtime"
    kinds = ("rate", "spiking")

    def __init__(self, target: str = "numpy", progress: bool = False, record_v: int | None = None):
        if target not in ("numpy", "cython"):
            raise ConfigError(f"`target` must be 'numpy' or 'cython', got {target!r}")
        self.target = target
        self.progress = progress
        self.record_v = record_v
        self.network = None

    @classmethod
    def available(cls):
        return brian_available()

    def prepare(self, network, config: RunConfig) -> None:
        self.check_supported(network)
        check_brian_config(network, config, self)
        ok, why = self.available()
        if not ok:
            raise ExecutorUnavailableError(why)
        self.network, self.config = network, config
        self._kind = kind_adapter(network)

    def _run(self, inputs: RunInputs) -> Trace:
        b2 = load_brian()
        net, cfg, kind = self.network, self.config, self._kind
        t0 = time.perf_counter()
        what = f"{self.name} run of {net.card.path or net.card.name}"
        with runtime_device(self.target), default_dt_restored(), brian_errors(what):
            objs = kind.build(net, cfg, inputs.M, inputs.gains, self.record_v)
            for variable, value in kind.values(objs, net, inputs).items():
                variable[:] = value
            objs.net.run(
                cfg.n_steps * cfg.dt * net.tau_ms * b2.ms, namespace={}, report="text" if self.progress else None
            )
            meta = {"dt": cfg.dt, "method": cfg.method, "seconds": time.perf_counter() - t0, "target": self.target}
            trace = kind.read(objs, net, cfg, inputs, self.record_v, self.name, meta)
        return trace.check_finite(net.card.state)
