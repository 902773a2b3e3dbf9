"""Executor conformance suite: every registered executor x every card kind (Brian2 feature-test style).

A new executor is tested by being registered: for each (executor, kind) pair the
suite checks the contract of :class:`neurochaos.executors.Executor` —

- a kind the executor does not declare is refused at ``prepare`` with the one
  message shape, naming the executors that do run it;
- ``run`` before ``prepare`` is a ConfigError; bad inputs are refused before running;
- the trace has the documented shapes and times, and starts at ``x0``;
- the result agrees with the reference executor of the kind (``brian2-runtime``)
  for the default inputs and for overridden weights, bias, gain and initial state;
- each override changes the result (no input is silently dropped), and a rerun
  with the same inputs gives the same result;
- the declared ``methods`` are run; the others are refused at ``prepare``.

Executors not available here (brian2-cuda without a GPU) skip with the reason;
pairs needing a C++ compiler are marked ``standalone``.
"""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.errors import ConfigError
from neurochaos.executors import RunConfig, executor_names, get_executor
from neurochaos.executors.base import _REGISTRY
from neurochaos.executors.integrators import METHODS
from neurochaos.model import SquareGain, build_network, build_spiking_network, initial_potentials, initial_state

KINDS = ("rate", "spiking")
REFERENCE = "brian2-runtime"
M = 2


def _network(kind):
    if kind == "rate":
        return build_network("mixed_rate", N=16, P=2, g=1.5, seed=0)
    return build_spiking_network("chaotic_lif", N=60, seed=0)


def _config(kind):
    if kind == "rate":
        return RunConfig(T=2.0, dt=0.1, record_every=2)
    return RunConfig(T=1.0, dt=0.005, method="exponential_euler", record_every=20)  # 20 ms


def _x0(net, kind, seed=1):
    return initial_state(net, M, seed=seed) if kind == "rate" else initial_potentials(net, M, seed=seed)


def _overrides(net, kind):
    """Each input overridden on its own: name -> run keyword arguments."""
    w = next(iter(net.weights))
    return {
        "weights": {"weights": {w: 0.5 * net.weights[w]}},
        "bias": {"bias": np.full(net.N, 0.3 if kind == "rate" else 27.0)},
        "gain": {"gain": SquareGain(low=0.2, high=2.0, period=0.5)},
        "x0": {"x0": _x0(net, kind, seed=7)},
    }


def _signature(trace, kind):
    """What must agree between executors: the trajectory (rate) or the spike counts and times (spiking)."""
    if kind == "rate":
        return (trace.x, trace.x_final)
    order = np.lexsort((trace.spike_i, trace.spike_chain, np.round(trace.spike_t_ms, 6)))
    return (trace.counts(), trace.spike_t_ms[order], trace.x_final)


def _assert_agree(a, b, kind):
    for u, v in zip(_signature(a, kind), _signature(b, kind)):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-9)


PAIRS = [(name, kind) for name in executor_names() for kind in KINDS]
MARKS = {"brian2-cpp": [pytest.mark.standalone], "brian2-cuda": [pytest.mark.standalone]}


def _params(declared: bool = True):
    """The (executor, kind) pairs the executor declares (or, with ``declared=False``, does not)."""
    return [
        pytest.param(n, k, id=f"{n}-{k}", marks=MARKS.get(n, []))
        for n, k in PAIRS
        if (k in _REGISTRY[n].kinds) == declared
    ]


def _skip_unavailable(name):
    ok, why = _REGISTRY[name].available()
    if not ok:
        pytest.skip(f"executor {name!r} is not available here: {why}")


@pytest.fixture(scope="module")
def runs():
    """Per (executor, kind): the prepared executor and its traces for the default and overridden inputs.

    Computed once per pair (a standalone executor builds once and reruns
    through run_args for every override), closed at the end of the module.
    """
    cache, opened = {}, []

    def get(name, kind):
        if (name, kind) not in cache:
            net, cfg = _network(kind), _config(kind)
            ex = get_executor(name, **({"record_v": 4} if kind == "spiking" else {}))
            opened.append(ex)
            ex.prepare(net, cfg)
            x0 = _x0(net, kind)
            out = {"default": ex.run(x0), "again": ex.run(x0)}
            for key, kw in _overrides(net, kind).items():
                kw = {"x0": x0, **kw}
                out[key] = ex.run(kw.pop("x0"), **kw)
            cache[name, kind] = (ex, net, cfg, x0, out)
        return cache[name, kind]

    yield get
    for ex in opened:
        ex.close()


def test_every_pair_is_covered_and_the_registry_has_one_class_per_name():
    assert set(executor_names()) == set(_REGISTRY) and len(PAIRS) == 2 * len(_REGISTRY)
    for name, cls in _REGISTRY.items():
        assert cls.name == name and set(cls.kinds) <= set(KINDS) and cls.kinds, name
        assert set(cls.methods) <= set(METHODS), name
    assert REFERENCE in executor_names(kind="rate") and REFERENCE in executor_names(kind="spiking")


@pytest.mark.parametrize("name, kind", _params(declared=False))
def test_undeclared_kinds_are_refused_naming_the_executors_that_run_them(name, kind):
    others = ", ".join(repr(n) for n in executor_names(kind=kind))
    with pytest.raises(
        ConfigError, match=rf"is a {kind} card, which executor '{name}' does not run; use one of {others}"
    ):
        get_executor(name).prepare(_network(kind), _config(kind))
    with pytest.raises(ConfigError, match=rf"`executor` must be one of .* for {kind} cards, got '{name}'"):
        get_executor(name, kind=kind)


@pytest.mark.parametrize("name, kind", _params())
def test_run_before_prepare_and_bad_inputs_are_refused(name, kind):
    ex = get_executor(name)
    net = _network(kind)
    with pytest.raises(ConfigError, match=r"`prepare` must be called before `run`"):
        ex.run(_x0(net, kind))
    _skip_unavailable(name)
    ex.prepare(net, _config(kind))
    x0 = _x0(net, kind)
    w = next(iter(net.weights))
    with pytest.raises(ConfigError, match=rf"`x0` must be of shape \(any, {net.N}\)"):
        ex.run(x0[:, :-1])
    with pytest.raises(ConfigError, match=rf"`weights\['{w}'\]` must be of shape"):
        ex.run(x0, weights={w: net.weights[w][..., :-1]})
    with pytest.raises(ConfigError, match=r"`weights` must be keys among"):
        ex.run(x0, weights={"nope": net.weights[w]})
    with pytest.raises(ConfigError, match=rf"`bias` must be of shape \({net.N},?\)"):
        ex.run(x0, bias=np.zeros(net.N + 1))
    with pytest.raises(ConfigError, match=r"`variables` must be keys among"):
        ex.run(x0, variables={"nope": 1.0})
    ex.close()


@pytest.mark.parametrize("name, kind", _params())
def test_trace_shapes_times_and_initial_state(name, kind, runs):
    _skip_unavailable(name)
    ex, net, cfg, x0, out = runs(name, kind)
    tr = out["default"]
    k = net.N if kind == "rate" else 4
    assert tr.executor == name
    assert tr.t.shape == (cfg.n_records,) and tr.x.shape == (cfg.n_records, M, k) and tr.x_final.shape == (M, net.N)
    np.testing.assert_allclose(np.diff(tr.t), cfg.record_every * cfg.dt)
    np.testing.assert_allclose(tr.x[0], x0[:, :k], rtol=1e-12, atol=1e-12)
    if kind == "spiking":
        assert tr.N == net.N and tr.counts().shape == (M, net.N) and tr.counts().sum() > 0


@pytest.mark.parametrize("name, kind", _params())
def test_agrees_with_the_reference_for_default_and_overridden_inputs(name, kind, runs):
    _skip_unavailable(name)
    *_, out = runs(name, kind)
    *_, ref = runs(REFERENCE, kind)
    for key in ("default", "weights", "bias", "gain", "x0"):
        _assert_agree(out[key], ref[key], kind)


@pytest.mark.parametrize("name, kind", _params())
def test_every_override_changes_the_result_and_reruns_repeat(name, kind, runs):
    _skip_unavailable(name)
    *_, out = runs(name, kind)
    _assert_agree(out["again"], out["default"], kind)
    for key in ("weights", "bias", "gain", "x0"):
        a, b = _signature(out[key], kind)[-1], _signature(out["default"], kind)[-1]
        assert not np.allclose(a, b), f"{name}: overriding `{key}` did not change the run"


@pytest.mark.parametrize("name, kind", _params())
def test_declared_methods_run_and_the_others_are_refused(name, kind):
    cls = _REGISTRY[name]
    if kind != "rate":
        pytest.skip("methods are declared for rate cards (spiking cards use Brian2's state updaters)")
    _skip_unavailable(name)
    net = _network(kind)
    for method in METHODS:
        cfg = RunConfig(T=0.2, dt=0.1, method=method)
        ex = get_executor(name)
        if method in cls.methods:
            if name == REFERENCE or cls.name == "torch":  # the standalone ones would build once per method
                ex.prepare(net, cfg)
                assert ex.run(_x0(net, kind)).meta["method"] == method
        else:
            with pytest.raises(ConfigError, match=rf"`method` must be one of .* got '{method}'"):
                ex.prepare(net, cfg)
        ex.close()
