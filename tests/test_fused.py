"""The fused device-resident trainer, the torch step options (tensors by reference, skip,
precision, compile, CUDA graphs) and the fused Triton kernel."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neurochaos.errors import ConfigError, ExecutorUnavailableError
from neurochaos.executors import RunConfig, get_executor
from neurochaos.executors.fused_kernel import make_fused_step, triton_missing
from neurochaos.executors.torch_engine import make_step
from neurochaos.learning import TrainConfig, build_generative_network, train
from neurochaos.learning.fused import FusedTrainer, step_seed
from neurochaos.learning.hebbian import contrastive_update
from neurochaos.learning.phases import PhaseRunner
from neurochaos.model import build_network, initial_state

ARCHS = [
    ("fu_restricted2", dict(n_visible=10, n_hidden=7)),
    ("fu_restricted3", dict(n_visible=10, n_hidden=6, n_hidden2=3)),
    ("fu_unrestricted", dict(n_visible=10)),
]


def _phase_reference(net, batches, x0s, k):
    runner = PhaseRunner(net)
    for batch, x0 in zip(batches, x0s):
        sc = runner.clamped(net, batch)
        sf, x_end = runner.free(net, x0)
        net = net.with_params(*contrastive_update(net.A, net.bias, sc, sf, k=k, mask=net.mask))
    return net, x_end


@pytest.mark.parametrize("card,sizes", ARCHS)
@pytest.mark.parametrize("fold", [True, False])
def test_fused_step_equals_phase_runner_update(card, sizes, fold):
    net = build_generative_network(card, T=2.0, seed=3, **sizes)
    rng = np.random.default_rng(0)
    data = np.sign(rng.normal(size=(20, net.n_visible)))
    batches = [data[rng.integers(0, 20, 5)] for _ in range(3)]
    x0s = [rng.normal(size=(5, net.N)) for _ in range(3)]
    tr = FusedTrainer(net, data, k=0.05, M=5, fold=fold)
    assert tr.folded is fold
    assert tr.reduced is (fold and net.N > net.n_visible)  # the clamped phase integrates the hidden units only
    for b, x0 in zip(batches, x0s):
        tr.step_with(b, x0)
    ref, x_end = _phase_reference(net, batches, x0s, 0.05)
    A, bias = tr.params()
    assert np.abs(ref.A).max() > 1e-3  # the update did something
    assert np.abs(A - ref.A).max() <= 1e-10
    assert np.abs(bias - ref.bias).max() <= 1e-10
    assert np.abs(tr.chains() - x_end).max() <= 1e-10
    assert np.array_equal(A, A.T)
    assert np.all(A[~net.mask] == 0.0)


def test_fused_trainer_leaves_the_network_untouched():
    net = build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, T=1.0)
    tr = FusedTrainer(net, np.ones((4, 6)), k=0.1, M=2)
    tr.step(0)
    assert np.abs(tr.params()[0]).max() > 0
    assert np.all(net.A == 0.0) and np.all(net.bias == 0.0)


def test_step_seed_draws_are_reproducible_per_step():
    net = build_generative_network("fu_restricted2", n_visible=6, n_hidden=4, T=1.0)
    data = np.sign(np.random.default_rng(1).normal(size=(30, 6)))
    a, b = FusedTrainer(net, data, k=0.1, M=3, seed=7), FusedTrainer(net, data, k=0.1, M=3, seed=7)
    for i in range(3):
        a.step(i)
    b.step(0)
    b.step(1)
    b.step(2)
    assert np.array_equal(a.params()[0], b.params()[0])
    c = FusedTrainer(net, data, k=0.1, M=3, seed=8)
    c.step(0)
    a0 = FusedTrainer(net, data, k=0.1, M=3, seed=7)
    a0.step(0)
    assert not np.array_equal(a0.params()[0], c.params()[0])
    assert step_seed(7, 0) != step_seed(8, 0)


def _digits_like(n=40, d=16, seed=0):
    from neurochaos.data import Dataset

    rng = np.random.default_rng(seed)
    x = np.where(rng.random((n, d)) < 0.3, 1.0, -1.0)
    y = np.zeros(n, dtype=int)
    return Dataset(x[:30], y[:30], x[30:], y[30:], (4, 4), "toy", "pm1", "random +-1 images")


@pytest.mark.parametrize("free_init", ["random", "persistent"])
def test_fused_training_resumes_exactly(tmp_path, free_init):
    ds = _digits_like()
    cfg = TrainConfig.from_dict(
        {
            "model": {"card": "fu_restricted2", "n_visible": 16, "n_hidden": 5, "T": 1.0},
            "training": {"M": 4, "steps": 6, "engine": "fused", "free_init": free_init, "checkpoint_every": 3},
            "data": {"name": "toy"},
        }
    )
    whole = train(cfg, tmp_path / "whole", dataset=ds, progress=False)
    half = train(cfg.replace("training", steps=3), tmp_path / "half", dataset=ds, progress=False)
    assert half.step == 3
    rest = train(cfg, tmp_path / "half", dataset=ds, progress=False, resume=True)
    assert rest.step == 6
    assert np.array_equal(rest.network.A, whole.network.A)
    assert np.array_equal(rest.network.bias, whole.network.bias)
    assert np.abs(whole.network.A).max() > 0


@pytest.mark.parametrize(
    "free_init,extra",
    [("random", {}), ("data", {}), ("persistent", {}), ("random", {"weight_decay": 2.0})],
)
def test_the_same_config_gives_the_same_run_on_either_engine(tmp_path, free_init, extra):
    """One draw policy (learning.draws) and one update rule: phases and fused engines train to the same weights."""
    from neurochaos.learning import TrainConfig, train

    results = {}
    for engine in ("phases", "fused"):
        cfg = TrainConfig.from_dict(
            {
                "model": {"card": "fu_restricted2", "n_visible": 16, "n_hidden": 6, "T": 1.0},
                "training": {"M": 5, "steps": 5, "engine": engine, "free_init": free_init, "k": 0.05, **extra},
            }
        )
        results[engine] = train(cfg, tmp_path / engine, dataset=_digits_like(), progress=False).network
        if extra:  # the decay changes the run: the same run without it ends elsewhere
            plain = train(cfg.replace("training", weight_decay=0.0), tmp_path / f"{engine}0", dataset=_digits_like(),
                          progress=False).network  # fmt: skip
            assert np.abs(plain.A).max() > np.abs(results[engine].A).max() > 0
    a, b = results["phases"], results["fused"]
    assert np.abs(a.A).max() > 0
    np.testing.assert_allclose(b.A, a.A, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b.bias, a.bias, rtol=0, atol=1e-10)


def test_fused_callback_every(tmp_path):
    seen = []
    cfg = TrainConfig.from_dict(
        {
            "model": {"card": "fu_restricted2", "n_visible": 16, "n_hidden": 5, "T": 1.0},
            "training": {"M": 4, "steps": 6, "engine": "fused"},
            "data": {"name": "toy"},
        }
    )
    train(
        cfg,
        tmp_path / "cb",
        dataset=_digits_like(),
        progress=False,
        callback=lambda s, n: seen.append(s),
        callback_every=2,
    )
    assert seen == [2, 4, 6]


@pytest.mark.parametrize(
    "training,match",
    [
        ({"engine": "fused", "executor": "brian2-cpp"}, r"training.engine` must be 'phases' when training.executor"),
        ({"engine": "turbo"}, r"training.engine"),
        ({"precision": "tf32", "engine": "fused"}, r"training.precision` must be 'highest' unless"),
        ({"precision": "bf16", "dtype": "float32"}, r"training.precision"),
        ({"compile": True}, r"training.compile` must be false unless engine = 'fused'"),
    ],
)
def test_training_config_rejects_bad_engine_options(training, match):
    with pytest.raises(ConfigError, match=match):
        TrainConfig.from_dict({"training": training})


def test_make_step_uses_tensors_by_reference_and_checks_options():
    net = build_network("chaotic_rate", N=12, g=1.5, seed=0)
    cfg = RunConfig(T=1.0, dt=0.1)
    W = torch.tensor(net.weights["rand"])
    step = make_step(net, cfg, weights={"rand": W})
    x = torch.randn(2, 12, dtype=torch.float64)
    before = step(x, 0)
    W.mul_(2.0)  # in place: the step sees it
    after = step(x, 0)
    expect = x + 0.1 * (-x + 1.5 * torch.tanh(x) @ W.T)
    assert torch.allclose(after, expect, atol=1e-12) and not torch.allclose(before, after)
    with pytest.raises(ConfigError, match=r"`skip` must name pathways"):
        make_step(net, cfg, skip=("nope",))
    with pytest.raises(ConfigError, match=r"`precision` 'bf16' needs dtype 'float32'"):
        make_step(net, cfg, precision="bf16")
    with pytest.raises(ConfigError, match=r"`precision` must be one of"):
        make_step(net, cfg, precision="fp8")
    with pytest.raises(ConfigError, match=r"tensor inputs of the step must be"):
        make_step(net, cfg, weights={"rand": W.float()})
    from neurochaos.model import SquareGain

    sched = build_network("chaotic_rate", N=12, g=SquareGain(low=1.0, high=2.0, period=1.0), seed=0)
    with pytest.raises(ConfigError, match=r"`compile` needs a constant gain"):
        make_step(sched, cfg, compile=True)


def test_bf16_precision_rounds_only_the_products():
    net = build_network("chaotic_rate", N=64, g=1.5, seed=0)
    cfg = RunConfig(T=1.0, dt=0.1, dtype="float32")
    x = torch.randn(3, 64)
    hi = make_step(net, cfg, dtype="float32")(x, 0)
    lo = make_step(net, cfg, dtype="float32", precision="bf16")(x, 0)
    err = float((hi - lo).abs().max())
    assert 0 < err < 0.05


@pytest.mark.slow
def test_compiled_step_equals_the_generated_step():
    net = build_network("chaotic_rate", N=40, g=1.5, seed=0)
    cfg = RunConfig(T=1.0, dt=0.1)
    a, b = make_step(net, cfg), make_step(net, cfg, compile=True)
    x = torch.randn(3, 40, dtype=torch.float64)
    ya, yb = x, x
    for n in range(5):
        ya, yb = a(ya, n), b(yb, n)
    assert float((ya - yb).abs().max()) <= 1e-12


def test_torch_engine_rejects_bad_graph_and_precision():
    with pytest.raises(ConfigError, match=r"`graph` must be True, False or 'auto'"):
        get_executor("torch", graph="yes")
    with pytest.raises(ConfigError, match=r"`precision` must be one of"):
        get_executor("torch", precision="half")


@pytest.mark.skipif(not triton_missing(), reason="this checks the error raised where the kernel cannot run")
def test_fused_kernel_says_what_is_missing():
    net = build_network("chaotic_rate", N=8, seed=0)
    with pytest.raises(ExecutorUnavailableError, match=r"the fused Triton kernel needs"):
        make_fused_step(net, RunConfig(T=1.0))


# ----------------------------------------------------------------------------- GPU
@pytest.mark.gpu
def test_graph_run_equals_eager_run_on_cuda():
    net = build_network("chaotic_rate", N=100, g=1.5, seed=0)
    x0 = initial_state(net, 3, seed=1)
    cfg = RunConfig(T=5.0, dt=0.1, record_every=7, device="cuda")
    runs = {}
    for graph in (False, True):
        with get_executor("torch", graph=graph) as ex:
            ex.prepare(net, cfg)
            runs[graph] = ex.run(x0)
    assert runs[True].meta["cuda_graph"] and not runs[False].meta["cuda_graph"]
    assert np.abs(runs[True].x - runs[False].x).max() <= 1e-12
    assert np.abs(runs[True].x_final - runs[False].x_final).max() <= 1e-12


@pytest.mark.gpu
def test_fused_trainer_graph_equals_cpu_on_cuda():
    net = build_generative_network("fu_restricted2", n_visible=20, n_hidden=10, T=2.0, seed=2)
    data = np.sign(np.random.default_rng(0).normal(size=(50, 20)))
    cpu = FusedTrainer(net, data, k=0.05, M=8, device="cpu")
    gpu = FusedTrainer(net, data, k=0.05, M=8, device="cuda")
    rng = np.random.default_rng(1)
    for _ in range(3):
        b, x0 = data[rng.integers(0, 50, 8)], rng.normal(size=(8, net.N))
        cpu.step_with(b, x0)
        gpu.step_with(b, x0)
    assert gpu.use_graph
    assert np.abs(cpu.params()[0] - gpu.params()[0]).max() <= 1e-10


@pytest.mark.gpu
def test_fused_kernel_matches_the_generated_step_on_cuda():
    if triton_missing():
        pytest.skip("needs " + ", ".join(triton_missing()))
    net = build_network("chaotic_rate", N=300, g=1.5, seed=0)
    cfg = RunConfig(T=1.0, dt=0.1)
    run = make_fused_step(net, cfg)
    x0 = torch.randn(2, 300, device="cuda")
    ref = make_step(net, cfg, device="cuda", dtype="float64")
    y = x0.double()
    for n in range(10):
        y = ref(y, n)
    assert float((run(x0, 10).double() - y).abs().max()) <= 1e-5
    g, state = run.graph(x0, 10)
    g.replay()
    assert float((state.double() - y).abs().max()) <= 1e-5
    with pytest.raises(ConfigError, match=r"fused kernel handles one pathway"):
        make_fused_step(build_network("mixed_rate", N=50, seed=0), cfg)


@pytest.mark.parametrize("T,every", [(5.0, 7), (10.0, 100), (20.0, 30), (3.0, 1)])
def test_graph_bookkeeping_matches_eager_records(monkeypatch, T, every):
    """The CUDA-graph loop (chunks, replays per record, eager rest) checked on the CPU with a
    stand-in graph whose replay runs the captured chunk eagerly."""
    import neurochaos.executors.torch_engine as te

    class FakeGraph:
        def __init__(self, step, state, n):
            self.step, self.state, self.n = step, state, n

        def replay(self):
            y = self.state
            for k in range(self.n):
                y = self.step(y, k)
            self.state.copy_(y)

    monkeypatch.setattr(te, "capture_steps", lambda step, state, n: FakeGraph(step, state, n))
    net = build_network("chaotic_rate", N=30, g=1.5, seed=0)
    cfg = RunConfig(T=T, dt=0.1, record_every=every)
    step = make_step(net, cfg)
    x0 = torch.as_tensor(initial_state(net, 2, seed=1))
    rec_g = torch.empty((cfg.n_records, 2, 30), dtype=torch.float64)
    xg = te._run_graph(step, x0, rec_g, cfg.n_steps, every, te.graph_chunk(every), False, "t")
    with get_executor("torch", graph=False) as ex:
        ex.prepare(net, cfg)
        ref = ex.run(x0.numpy())
    assert np.abs(rec_g.numpy() - ref.x).max() <= 1e-12
    assert np.abs(xg.numpy() - ref.x_final).max() <= 1e-12


def test_fused_trainer_validates_its_arguments():
    net = build_generative_network("fu_restricted2", n_visible=4, n_hidden=3, T=0.5)
    data = np.ones((3, 4))
    with pytest.raises(ConfigError, match=r"`dtype` must be one of"):
        FusedTrainer(net, data, k=0.1, M=2, dtype="float16")
    with pytest.raises(ConfigError, match=r"`precision` 'tf32' needs dtype 'float32'"):
        FusedTrainer(net, data, k=0.1, M=2, precision="tf32")
    with pytest.raises(ConfigError, match=r"`k` must be"):
        FusedTrainer(net, data, k=0.0, M=2)
    with pytest.raises(ConfigError, match=r"`free_init` must be one of"):
        FusedTrainer(net, data, k=0.1, M=2, free_init="zeros")
    if not torch.cuda.is_available():
        with pytest.raises(ExecutorUnavailableError, match=r"needs CUDA"):
            FusedTrainer(net, data, k=0.1, M=2, device="cuda")
        with pytest.raises(ConfigError, match=r"`graph` True needs a CUDA device"):
            FusedTrainer(net, data, k=0.1, M=2, graph=True)
