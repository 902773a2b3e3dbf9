"""Spiking cards on every CPU executor: runtime reference, cpp_standalone built once and rerun."""

from __future__ import annotations

import re

import numpy as np
import pytest

from neurochaos.analysis.spikes import firing_rates, spike_divergence
from neurochaos.errors import ConfigError, ExecutorUnavailableError, RunArgsMismatchError
from neurochaos.executors import RunConfig, executor_names, get_executor
from neurochaos.model import SquareGain, build_network, build_spiking_network, initial_potentials

SPIKING = ["chaotic_lif", "hopfield_lif", "mixed_lif"]
N, T_MS = 200, 100.0


def _cfg(T_ms=T_MS):
    return RunConfig(T=T_ms / 20.0, dt=0.005, method="exponential_euler", record_every=10)


def _net(name, **kw):
    return build_spiking_network(
        name, N=N, seed=0, **({"P": 2} if "lif" in name and name != "chaotic_lif" else {}), **kw
    )


def test_one_registry_one_class_per_name_dispatching_on_the_card_kind():
    assert executor_names() == ["brian2-cpp", "brian2-cuda", "brian2-runtime", "numpy", "torch"]
    assert executor_names(kind="spiking") == ["brian2-cpp", "brian2-cuda", "brian2-runtime"]
    assert type(get_executor("brian2-cpp", kind="spiking")) is type(get_executor("brian2-cpp"))
    with pytest.raises(ConfigError, match=r"`executor` must be one of 'brian2-cpp', .* for spiking cards, got 'torch'"):
        get_executor("torch", kind="spiking")


def test_supports_is_honest_about_card_kinds():
    spiking, rate = _net("chaotic_lif"), build_network("chaotic_rate", N=10)
    ex = get_executor("brian2-runtime")
    assert ex.supports(spiking) and ex.supports(rate)
    assert not get_executor("torch").supports(spiking) and get_executor("torch").supports(rate)
    with pytest.raises(ConfigError, match=r"'chaotic_lif' is a spiking card, which executor 'torch' does not run"):
        get_executor("torch").prepare(spiking, _cfg())


@pytest.mark.parametrize("name", SPIKING)
def test_each_spiking_card_runs_on_brian2_runtime(name):
    net = _net(name)
    v0 = initial_potentials(net, 2, seed=1)
    with get_executor("brian2-runtime", kind="spiking", record_v=3) as ex:
        ex.prepare(net, _cfg())
        tr = ex.run(v0)
    assert tr.x.shape == (100, 2, 3) and tr.x_final.shape == (2, N)
    np.testing.assert_allclose(tr.x[0], v0[:, :3])
    rates = tr.rates_hz()
    assert 1.0 < rates.mean() < 60.0, rates.mean()
    assert tr.spike_t_ms.max() < T_MS and set(np.unique(tr.spike_chain)) == {0, 1}


def test_brian2_cuda_spiking_says_what_is_missing_here():
    from neurochaos.executors.brian_cuda import cuda_missing

    if not cuda_missing():
        pytest.skip("CUDA is available here")
    with pytest.raises(ExecutorUnavailableError, match=r"'brian2-cuda' cannot run here: missing"):
        get_executor("brian2-cuda", kind="spiking").prepare(_net("chaotic_lif"), _cfg())


def test_bad_spiking_run_inputs_are_rejected():
    net = _net("chaotic_lif")
    with get_executor("brian2-runtime", kind="spiking") as ex:
        ex.prepare(net, _cfg())
        with pytest.raises(ConfigError, match=r"`x0` must be of shape \(any, 200\)"):
            ex.run(np.zeros((1, 5)))
        with pytest.raises(ConfigError, match=r"`weights\['rand'\]` must be of shape"):
            ex.run(np.zeros((1, N)), weights={"rand": np.zeros(3)})
        with pytest.raises(ConfigError, match=r"`variables` must be keys among \[\]"):
            ex.run(np.zeros((1, N)), variables={"clamp": 1.0})


@pytest.fixture(scope="module")
def cpp(has_compiler):
    """One cpp_standalone build of chaotic_lif (N = 200, 2 chains, 100 ms), reused by the module."""
    net = _net("chaotic_lif")
    ex = get_executor("brian2-cpp", kind="spiking", record_v=3)
    ex.prepare(net, _cfg())
    yield net, ex
    ex.close()


def _compiles(monkeypatch):
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    calls = []
    original = CPPStandaloneDevice.compile_source

    def counting(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CPPStandaloneDevice, "compile_source", counting)
    return calls


@pytest.mark.standalone
def test_cpp_matches_runtime_and_reruns_through_run_args(cpp, monkeypatch):
    net, ex = cpp
    v0 = initial_potentials(net, 2, seed=1)
    with get_executor("brian2-runtime", kind="spiking", record_v=3) as rt:
        rt.prepare(net, _cfg())
        ref = rt.run(v0)
        ref_g = rt.run(v0[::-1].copy(), gain=SquareGain(low=0.2, high=1.5, period=1.0))
    a = ex.run(v0)
    assert ex.n_builds == 1
    calls = _compiles(monkeypatch)
    np.testing.assert_array_equal(a.counts(), ref.counts())
    np.testing.assert_allclose(a.spike_t_ms, ref.spike_t_ms)
    # new initial potentials and a gain schedule, then new weights and drive: same binary
    b = ex.run(v0[::-1].copy(), gain=SquareGain(low=0.2, high=1.5, period=1.0))
    np.testing.assert_array_equal(b.counts(), ref_g.counts())
    c = ex.run(v0, weights={"rand": 0.5 * net.weights["rand"]}, bias=np.full(N, 26.0))
    assert not np.array_equal(c.counts(), a.counts())
    assert ex.n_builds == 1 and calls == []
    assert c.meta["n_builds"] == 1


@pytest.mark.standalone
def test_standalone_spiking_guard_catches_a_dropped_run_arg(cpp, monkeypatch):
    net, ex = cpp
    v0 = initial_potentials(net, 2, seed=1)
    ex.run(v0)
    real_run = ex._device.run

    def dropping_weights(run_args, **kw):  # what brian2cuda does with capitalised object names
        return real_run(run_args={k: v for k, v in run_args.items() if getattr(k, "name", "") != "w"}, **kw)

    monkeypatch.setattr(ex._device, "run", dropping_weights)
    with pytest.raises(RunArgsMismatchError, match=r"`weights\['rand'\]` read back after the run differs"):
        ex.run(v0, weights={"rand": 2 * net.weights["rand"]})


@pytest.mark.standalone
@pytest.mark.slow
@pytest.mark.parametrize("name", ["hopfield_lif", "mixed_lif"])
def test_structured_spiking_cards_run_on_cpp_standalone(name, has_compiler):
    net = _net(name)
    v0 = initial_potentials(net, 1, seed=1)
    with get_executor("brian2-cpp", kind="spiking", record_v=0) as ex:
        ex.prepare(net, _cfg())
        a = ex.run(v0)
        b = ex.run(v0, gain=0.0)
        assert ex.n_builds == 1
    assert 1.0 < a.rates_hz().mean() < 60.0
    assert not np.array_equal(a.counts(), b.counts())


@pytest.mark.standalone
@pytest.mark.slow
def test_rates_diverge_above_the_transition_and_not_below(has_compiler):
    """Two chains whose neuron 0 starts 1e-6 mV apart, straddling the potential that reaches threshold
    in one step (the smallest perturbation a dt = 0.1 ms clock can carry: one spike moved by dt)."""
    net = build_spiking_network("chaotic_lif", N=1000, seed=0)
    v = np.repeat(initial_potentials(net, 1, seed=1), 2, axis=0)
    v_inf = net.params["V_L_mV"] + net.bias[0]
    v_star = v_inf + (net.params["theta_mV"] - v_inf) * np.exp(0.005)
    v[0, 0], v[1, 0] = v_star + 5e-7, v_star - 5e-7
    out = {}
    with get_executor("brian2-cpp", kind="spiking", record_v=0) as ex:
        ex.prepare(net, RunConfig(T=100.0, dt=0.005, method="exponential_euler"))  # 2 s
        for g in (0.25, 1.0):
            tr = ex.run(v, gain=g)
            d = spike_divergence(tr.chain(0), tr.chain(1), 1000, tr.duration_ms, tau_f_ms=200.0)
            out[g] = (d["final_distance"], firing_rates(*tr.chain(0), 1000, tr.duration_ms, 500.0).mean())
    assert out[1.0][0] > 3 * out[0.25][0], out
    assert all(1.0 < r < 50.0 for _, r in out.values()), out


@pytest.mark.standalone
@pytest.mark.slow
@pytest.mark.cuda_build
def test_spiking_cuda_project_compiles_without_a_gpu(tmp_path):
    """... with brian2cuda's profiling switch and preferences in the generated code, the preferences
    restored afterwards (they are process-wide)."""
    from brian2 import prefs

    from neurochaos.executors.brian_cuda import cuda_missing

    missing = cuda_missing(require_gpu=False)
    if missing:
        pytest.skip(reason="cannot compile cuda_standalone here: missing " + "; ".join(missing))
    net = _net("chaotic_lif")
    ex = get_executor(
        "brian2-cuda", kind="spiking", require_gpu=False, compute_capability=9.0, directory=str(tmp_path / "cuda"),
        profile=True, cuda_prefs={"parallel_blocks": 7, "use_atomics": False},
    )  # fmt: skip
    ex.prepare(net, _cfg())
    project = ex.compile_only(chains=2)
    assert (project / "main").exists()
    code = (
        "".join(p.read_text() for p in (project / "code_objects").glob("*.cu")) + (project / "objects.cu").read_text()
    )
    assert "_profiling_info" in code and "num_parallel_blocks = 7" in code
    assert prefs.devices.cuda_standalone.parallel_blocks == 1 and prefs.devices.cuda_standalone.use_atomics is True
    if cuda_missing(require_gpu=True):
        with pytest.raises(ExecutorUnavailableError, match=r"compiled without a GPU cannot run here: missing"):
            ex.run(np.zeros((2, N)))


@pytest.mark.gpu
@pytest.mark.standalone
def test_spiking_cuda_matches_cpp_on_a_gpu(cpp, tmp_path):
    from neurochaos.executors.brian_cuda import cuda_missing

    if cuda_missing(require_gpu=True):
        pytest.skip("brian2-cuda cannot run here")
    net, ex = cpp
    v0 = initial_potentials(net, 2, seed=1)
    ref = ex.run(v0, gain=0.25)  # weak coupling: no chaotic amplification of float differences
    with get_executor("brian2-cuda", kind="spiking", record_v=0, directory=str(tmp_path / "cuda")) as cu:
        cu.prepare(net, _cfg())
        a = cu.run(v0, gain=0.25)
        b = cu.run(v0[::-1].copy(), gain=1.0)
        assert cu.n_builds == 1 and len(b.spike_t_ms) > 0
    assert np.abs(a.counts() - ref.counts()).max() <= 1


@pytest.mark.standalone
def test_cpp_profile_reports_seconds_per_code_object(has_compiler):
    net = _net("chaotic_lif")
    with get_executor("brian2-cpp", kind="spiking", record_v=0, profile=True) as ex:
        ex.prepare(net, _cfg())
        tr = ex.run(initial_potentials(net, 1, seed=1))
    prof = tr.meta["profile"]
    names = {re.sub(r"_\d+$", "", k) for k in prof}  # Brian2 numbers the code objects of later builds
    assert {"neurons_stateupdater_codeobject", "syn_rand_pre_codeobject", "mon_spikes_codeobject"} <= names
    assert all(v >= 0 for v in prof.values()) and list(prof.values()) == sorted(prof.values(), reverse=True)
    assert sum(prof.values()) <= tr.meta["network_run_seconds"] * 1.5 + 1e-3
    with get_executor("brian2-cpp", kind="spiking", record_v=0) as ex:
        ex.prepare(net, _cfg())
        assert ex.run(initial_potentials(net, 1, seed=1)).meta["profile"] is None
