"""Every executor runs the same declaration and produces the same trajectory."""

from __future__ import annotations

import re

import numpy as np
import pytest

from neurochaos.errors import ConfigError, ExecutorUnavailableError, RunArgsMismatchError
from neurochaos.executors import RunConfig, executor_names, get_executor
from neurochaos.executors.brian_cuda import cuda_missing
from neurochaos.model import SquareGain, build_network, initial_state

N, M = 80, 2


def _run(name, net, cfg, x0, **kw):
    with get_executor(name) as ex:
        ex.prepare(net, cfg)
        return ex.run(x0, **kw)


@pytest.fixture(scope="module")
def chaotic():
    net = build_network("chaotic_rate", N=N, g=0.8, seed=0)
    return net, initial_state(net, M, seed=1)


@pytest.fixture(scope="module")
def reference(chaotic):
    """torch float64 trajectories: 20 tau at g = 0.8 and at g = 1.5."""
    net, x0 = chaotic
    cfg = RunConfig(T=20.0, dt=0.1)
    return {g: _run("torch", net.with_gain(g), cfg, x0) for g in (0.8, 1.5)}


def test_executor_registry_lists_all_five():
    assert executor_names() == ["brian2-cpp", "brian2-cuda", "brian2-runtime", "numpy", "torch"]


def test_unknown_backend_lists_the_valid_names():
    with pytest.raises(ConfigError, match=r"`executor` must be one of 'brian2-cpp', .*'torch', got 'jax'"):
        get_executor("jax")


def test_torch_trace_shapes_and_times(reference):
    tr = reference[0.8]
    assert tr.x.shape == (200, M, N) and tr.x_final.shape == (M, N)
    np.testing.assert_allclose(tr.t[:3], [0.0, 0.1, 0.2])


def test_g_below_one_decays_and_above_one_does_not(reference):
    assert np.abs(reference[0.8].x_final).max() < 0.05
    assert np.abs(reference[1.5].x[-50:]).std() > 0.1


@pytest.mark.parametrize("g, horizon", [(0.8, 20.0), (1.5, 5.0)])
def test_brian2_runtime_matches_torch(chaotic, reference, g, horizon):
    net, x0 = chaotic
    cfg = RunConfig(T=horizon, dt=0.1)
    tr = _run("brian2-runtime", net.with_gain(g), cfg, x0)
    n = tr.x.shape[0]
    assert np.abs(tr.x - reference[g].x[:n]).max() <= 1e-6


@pytest.mark.parametrize("method", ["exponential_euler"])  # rk4 is torch-only now (tests/test_integrators.py)
def test_other_integrators_agree_with_brian2_runtime(method):
    net = build_network("mixed_rate", N=40, g=2.0, seed=3)
    x0 = initial_state(net, 1, seed=4)
    cfg = RunConfig(T=5.0, dt=0.1, method=method)
    a = _run("torch", net, cfg, x0)
    b = _run("brian2-runtime", net, cfg, x0)
    assert np.abs(a.x - b.x).max() <= 1e-6


def test_gain_schedule_is_the_same_on_both_sides():
    net = build_network("mixed_rate", N=40, seed=2, g=SquareGain(low=0.5, high=6.0, period=2.0))
    x0 = initial_state(net, 2, seed=4)
    cfg = RunConfig(T=6.0, dt=0.1, record_every=3)
    a = _run("torch", net, cfg, x0)
    b = _run("brian2-runtime", net, cfg, x0)
    assert a.x.shape == (20, 2, 40)
    assert np.abs(a.x - b.x).max() <= 1e-6
    # the schedule really acts: a constant gain gives another trajectory
    c = _run("torch", net.with_gain(0.5), cfg, x0)
    assert np.abs(a.x - c.x).max() > 1e-2


def test_float32_torch_stays_close_to_float64_at_g_below_one(chaotic, reference):
    net, x0 = chaotic
    tr = _run("torch", net, RunConfig(T=20.0, dt=0.1, dtype="float32"), x0)
    assert tr.x.dtype == np.float32  # float32 asked, float32 returned
    assert np.abs(tr.x - reference[0.8].x).max() < 1e-4


@pytest.mark.standalone
@pytest.mark.slow
def test_cpp_standalone_matches_torch_and_reruns_without_rebuilding(chaotic, reference, has_compiler, monkeypatch):
    """One build; reruns with new gain, initial state and weights through run_args."""
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    compiles = []
    original = CPPStandaloneDevice.compile_source

    def counting(self, *args, **kwargs):
        compiles.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CPPStandaloneDevice, "compile_source", counting)
    net, x0 = chaotic
    with get_executor("brian2-cpp") as ex:
        ex.prepare(net, RunConfig(T=20.0, dt=0.1))
        a = ex.run(x0)  # g = 0.8 from the network
        assert np.abs(a.x - reference[0.8].x).max() <= 1e-6
        b = ex.run(x0, gain=1.5)
        assert np.abs(b.x[:50] - reference[1.5].x[:50]).max() <= 1e-6  # first 5 tau
        # new initial state and new weights in the same binary
        W = 0.5 * net.weights["rand"]
        x1 = x0[::-1].copy()
        c = ex.run(x1, weights={"rand": W})
        d = _run("torch", net.with_weights(rand=W), RunConfig(T=20.0, dt=0.1), x1)
        assert np.abs(c.x - d.x).max() <= 1e-6
        assert ex.n_builds == 1
    assert len(compiles) == 1


@pytest.mark.standalone
def test_standalone_detects_run_args_that_were_not_applied(has_compiler, monkeypatch):
    """Brian2 only prints to stderr when a run_args file is wrong: the executor must notice."""
    net = build_network("chaotic_rate", N=20, g=1.2, seed=0)
    x0 = initial_state(net, 1, seed=1)
    with get_executor("brian2-cpp") as ex:
        ex.prepare(net, RunConfig(T=1.0, dt=0.1))
        ex.run(x0)
        real_run = ex._device.run

        def dropping_weights(run_args, **kw):  # what brian2cuda does with capitalised names
            kept = {k: v for k, v in run_args.items() if getattr(k, "name", "") != "w"}
            return real_run(run_args=kept, **kw)

        monkeypatch.setattr(ex._device, "run", dropping_weights)
        with pytest.raises(RunArgsMismatchError, match=r"`weights\['rand'\]` read back after the run differs"):
            ex.run(x0, weights={"rand": 2 * net.weights["rand"]})


@pytest.mark.standalone
def test_standalone_build_says_it_is_building_when_progress_is_on(has_compiler, capfd):
    net = build_network("chaotic_rate", N=20, g=1.2, seed=0)
    with get_executor("brian2-cpp", progress=True) as ex:
        ex.prepare(net, RunConfig(T=1.0, dt=0.1))
        ex.run(initial_state(net, 1, seed=1))
    err = capfd.readouterr().err
    assert "brian2-cpp: generating and compiling the cpp_standalone project for 1 chain(s)" in err
    assert re.search(r"brian2-cpp: built in \d+\.\d s", err)


def test_brian2_cuda_names_what_is_missing_here():
    missing = cuda_missing()
    if not missing:
        pytest.skip("CUDA toolchain and GPU present: the unavailable-path does not apply")
    net = build_network("chaotic_rate", N=10, seed=0)
    ex = get_executor("brian2-cuda")
    with pytest.raises(ExecutorUnavailableError, match=r"executor 'brian2-cuda' cannot run here: missing .*"):
        ex.prepare(net, RunConfig(T=1.0))


@pytest.mark.parametrize(
    "cfg_kwargs, match",
    [
        ({"T": 10.0, "dt": 1.0}, r"`dt` must be in \(0.0, 1.0\), got 1.0"),
        ({"T": 10.0, "dt": 1.5}, r"`dt` must be in \(0.0, 1.0\), got 1.5"),
        ({"T": -1.0}, r"`T` must be in \(0.0, inf\), got -1.0"),
        ({"T": 10.0, "record_every": 0}, r"`record_every` must be an integer >= 1, got 0"),
        (
            {"T": 10.0, "method": "rk45"},
            r"`method` must be one of 'euler', 'exponential_euler', 'rk2', 'heun', 'rk4', got 'rk45'",
        ),
    ],
)
def test_bad_run_config_names_the_parameter(cfg_kwargs, match):
    with pytest.raises(ConfigError, match=match):
        RunConfig(**cfg_kwargs)


@pytest.mark.parametrize("backend", ["torch", "brian2-runtime"])
def test_bad_run_inputs_are_rejected_before_running(backend):
    net = build_network("chaotic_rate", N=10, seed=0)
    ex = get_executor(backend)
    ex.prepare(net, RunConfig(T=1.0))
    x0 = initial_state(net, 2, seed=0)
    with pytest.raises(ConfigError, match=r"`x0` must be of shape \(any, 10\), got 'array of shape \(2, 9\)'"):
        ex.run(x0[:, :9])
    bad = x0.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ConfigError, match=r"`x0` must be finite \(no NaN or inf\)"):
        ex.run(bad)
    with pytest.raises(ConfigError, match=r"`weights\['rand'\]` must be of shape \(10, 10\)"):
        ex.run(x0, weights={"rand": np.zeros((10, 9))})
    with pytest.raises(ConfigError, match=r"`weights` must be keys among \['rand'\], got \['struct'\]"):
        ex.run(x0, weights={"struct": np.zeros((10, 10))})
    with pytest.raises(ConfigError, match=r"`gain schedule duration` must be >= the run length"):
        from neurochaos.model import PiecewiseLinearGain

        ex.run(x0, gain=PiecewiseLinearGain([0, 0.5], [1, 1]))
    with pytest.raises(ConfigError, match=r"`variables` must be keys among \[\]"):
        ex.run(x0, variables={"clamp": np.ones(10)})


def test_brian_executors_refuse_float32():
    net = build_network("chaotic_rate", N=10, seed=0)
    with pytest.raises(ConfigError, match=r"`dtype` must be 'float64' for Brian2 executors, got 'float32'"):
        get_executor("brian2-runtime").prepare(net, RunConfig(T=1.0, dtype="float32"))


def test_clamped_units_follow_their_clamped_rates_on_every_executor_available():
    from pathlib import Path

    from neurochaos.model import load_card

    card = load_card(Path(__file__).parent / "cards" / "clamped_rate.toml")
    net = build_network(card, seed=0)
    rng = np.random.default_rng(0)
    A = rng.normal(size=(30, 30)) * 0.1
    x0 = initial_state(net, 3, seed=1)
    clamp = np.zeros(30)
    clamp[:10] = 1
    s = np.sign(rng.normal(size=(3, 30)))
    cfg = RunConfig(T=3.0, dt=0.1)
    kw = dict(weights={"learn": A + A.T}, variables={"clamp": clamp, "s_clamp": s}, gain=1.2)
    a = _run("torch", net, cfg, x0, **kw)
    b = _run("brian2-runtime", net, cfg, x0, **kw)
    assert np.abs(a.x - b.x).max() <= 1e-6
    free = _run("torch", net, cfg, x0, weights={"learn": A + A.T}, gain=1.2)
    assert np.abs(a.x - free.x).max() > 1e-3  # clamping changes the dynamics


def test_an_executor_refuses_a_card_kind_it_does_not_declare_and_names_those_that_run_it():
    from neurochaos.model.spiking import build_spiking_network

    net = build_spiking_network("chaotic_lif", N=50, seed=0)
    with pytest.raises(
        ConfigError,
        match=r"is a spiking card, which executor 'torch' does not run; use one of 'brian2-cpp', 'brian2-cuda', 'brian2-runtime'",
    ):
        get_executor("torch").prepare(net, RunConfig(T=1.0))


def test_variables_with_the_wrong_chain_count_are_rejected():
    from pathlib import Path

    from neurochaos.model import load_card

    net = build_network(load_card(Path(__file__).parent / "cards" / "clamped_rate.toml"), seed=0)
    ex = get_executor("torch")
    ex.prepare(net, RunConfig(T=1.0))
    x0 = initial_state(net, 3, seed=1)
    with pytest.raises(
        ConfigError, match=r"`variables\['s_clamp'\]` must be of shape \(3, 30\), got 'array of shape \(2, 30\)'"
    ):
        ex.run(x0, variables={"s_clamp": np.ones((2, 30))})


def test_torch_engine_rejects_summed_expressions_it_cannot_turn_into_a_matrix_product(tmp_path):
    from neurochaos.errors import ModelError
    from neurochaos.executors.codegen import summed_pathway

    model = "w : 1 (constant)\nI_rand_post = w * r_pre**2 : 1 (summed)"
    with pytest.raises(ModelError, match=r"needs a summed expression of the form `w \* <var>_pre`"):
        summed_pathway(model, "w", "test")
    assert summed_pathway("w : 1 (constant)\nI_rand_post = r_pre * w : 1 (summed)", "w", "test") == ("I_rand", "r")
