"""The epilogue kernel (one Triton GEMM per Euler step, update and tanh in its epilogue) and
the fused trainer on it: checked on the CPU under Triton's interpreter, on CUDA where a GPU is."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neurochaos.errors import ConfigError, ExecutorUnavailableError
from neurochaos.executors import RunConfig
from neurochaos.executors.epilogue import EpilogueStep, Tile, epilogue_missing, euler_form
from neurochaos.executors.torch_engine import make_step
from neurochaos.learning import TrainConfig, build_generative_network
from neurochaos.learning.fused import FusedTrainer
from neurochaos.model import SquareGain, build_network

pytest.importorskip("triton", reason="triton is missing (the epilogue kernel is a Triton kernel)")

#: largest deviation from the float64 generated step after 10 steps, per product precision
TOL = {"highest": 5e-6, "tf32": 5e-6, "bf16": 3e-2}  # under the interpreter tf32 products are IEEE


@pytest.fixture
def interpret(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "1")


def _reference(net, cfg, x0, n, bias):
    step = make_step(net, cfg, bias=np.asarray(bias, dtype=float) if bias.ndim == 1 else None)
    y = x0.double()
    for i in range(n):
        y = step(y, i) if bias.ndim == 1 else _with_chain_bias(net, cfg, y, i, bias)
    return y


def _with_chain_bias(net, cfg, y, i, bias):
    # a per-chain bias: the generated step one chain at a time
    return torch.stack([make_step(net, cfg, bias=bias[m].double().numpy())(y[m : m + 1], i)[0] for m in range(len(y))])


@pytest.mark.parametrize("precision", ["highest", "tf32", "bf16"])
@pytest.mark.parametrize("per_chain_bias", [False, True])
def test_epilogue_step_matches_the_generated_step(interpret, precision, per_chain_bias):
    # M and N not multiples of the tile: the masks are exercised
    M, N = 37, 70
    net = build_network("chaotic_rate", N=N, g=1.5, seed=0)
    cfg = RunConfig(T=1.0, dt=0.1)
    W = torch.tensor(net.weights["rand"], dtype=torch.float32)
    gen = torch.Generator().manual_seed(0)
    b = 0.3 * torch.randn((M, N) if per_chain_bias else (N,), generator=gen)
    x0 = torch.randn(M, N, generator=gen)
    step = EpilogueStep(net, cfg, weight=W, bias=b, M=M, precision=precision, device="cpu", tile=Tile(16, 32, 16))
    x = step.run(x0, 10)
    err = float((x.double() - _reference(net, cfg, x0, 10, b)).abs().max())
    assert err <= TOL[precision], err
    assert step.r[0].dtype == (torch.bfloat16 if precision == "bf16" else torch.float32)
    # the zero padding (aligned, unmasked product loads) is never written
    assert step.ld % 64 == 0 and step.x[0].shape[0] % 16 == 0
    for buf in (*step.x, *step.r):
        assert not buf[M:].any() and not buf[:, N:].any()
    assert not step.WT[N:].any() and not step.WT[:, N:].any()


def test_euler_form_reads_gain_and_method_from_the_card():
    net = build_network("chaotic_rate", N=20, g=1.5, seed=0)
    assert euler_form(net, RunConfig(T=1.0, dt=0.1), pathway="rand") == pytest.approx((0.9, 0.15, 0.1), abs=1e-12)
    e = np.exp(-0.1)
    got = euler_form(net, RunConfig(T=1.0, dt=0.1, method="exponential_euler"), pathway="rand")
    assert got == pytest.approx((e, 1.5 * (1 - e), 1 - e), abs=1e-12)
    with pytest.raises(ConfigError, match=r"its step is not x' = alpha x \+ beta W tanh\(x\) \+ gamma b"):
        euler_form(net, RunConfig(T=1.0, dt=0.1, method="rk4"), pathway="rand")
    cycled = build_network("chaotic_rate", N=20, g=SquareGain(low=0.5, high=1.5, period=1.0), seed=0)
    with pytest.raises(ConfigError, match=r"its step is not x' = alpha x"):
        euler_form(cycled, RunConfig(T=2.0, dt=0.1), pathway="rand")
    two = build_network("mixed_rate", N=20, seed=0)
    names = [p.name for p in two.card.pathways]
    with pytest.raises(ConfigError, match=r"the epilogue kernel computes one product"):
        euler_form(two, RunConfig(T=1.0, dt=0.1), pathway=names[0])
    with pytest.raises(ConfigError, match=r"`pathway` must be one of"):
        euler_form(net, RunConfig(T=1.0, dt=0.1), pathway="nope")


def test_epilogue_step_refuses_bad_inputs(interpret):
    net = build_network("chaotic_rate", N=20, g=1.5, seed=0)
    cfg = RunConfig(T=1.0, dt=0.1)
    W, b = torch.zeros(20, 20), torch.zeros(20)
    with pytest.raises(ConfigError, match=r"`device` must be 'cpu' \(Triton's interpreter"):
        EpilogueStep(net, cfg, weight=W, bias=b, M=2, device="cuda")
    with pytest.raises(ConfigError, match=r"`weight` must be a float32 tensor"):
        EpilogueStep(net, cfg, weight=W.double(), bias=b, M=2, device="cpu")
    with pytest.raises(ConfigError, match=r"`bias` must have shape \(20,\) or \(2, 20\)"):
        EpilogueStep(net, cfg, weight=W, bias=torch.zeros(3, 20), M=2, device="cpu")
    with pytest.raises(ConfigError, match=r"`precision` must be one of"):
        EpilogueStep(net, cfg, weight=W, bias=b, M=2, device="cpu", precision="fp8")
    with pytest.raises(ConfigError, match=r"`tile.bk` must be a power of two >= 16"):
        Tile(64, 64, 24)
    with pytest.raises(ConfigError, match=r"`tile.warps` must be an integer >= 1"):
        Tile(64, 64, 32, 0)


def test_refresh_takes_in_place_weight_changes(interpret):
    net = build_network("chaotic_rate", N=24, g=1.5, seed=0)
    cfg = RunConfig(T=1.0, dt=0.1)
    W = torch.tensor(net.weights["rand"], dtype=torch.float32)
    x0 = torch.randn(4, 24, generator=torch.Generator().manual_seed(1))
    step = EpilogueStep(net, cfg, weight=W, bias=torch.zeros(24), M=4, device="cpu", precision="highest")
    before = step.run(x0, 3).clone()
    W.mul_(2.0)
    assert torch.equal(step.run(x0, 3), before)  # the kernel's copy until refresh()
    step.refresh()
    net2 = build_network("chaotic_rate", N=24, g=3.0, seed=0)  # 2 W at g = 1.5 is W at g = 3
    ref = _reference(net2, cfg, x0, 3, np.zeros(24))
    assert float((step.run(x0, 3).double() - ref).abs().max()) <= 5e-6


@pytest.mark.skipif(
    not epilogue_missing(),
    reason="nothing is missing here (CUDA GPU and triton present): it checks the error raised without",
)
def test_epilogue_step_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    net = build_network("chaotic_rate", N=8, seed=0)
    with pytest.raises(ExecutorUnavailableError, match=r"the epilogue kernel needs a CUDA GPU"):
        EpilogueStep(net, RunConfig(T=1.0), weight=torch.zeros(8, 8), bias=torch.zeros(8), M=1)


@pytest.mark.parametrize("precision,tol", [("highest", 1e-6), ("bf16", 2e-3)])
@pytest.mark.parametrize("n_pool", [0, 6])
def test_fused_trainer_on_the_epilogue_kernel_matches_the_torch_step(interpret, precision, tol, n_pool):
    kw = dict(n_pool=n_pool, j_scope="none") if n_pool else {}
    net = build_generative_network("fu_restricted2", n_visible=20, n_hidden=12, T=1.0, seed=1, **kw)
    data = np.sign(np.random.default_rng(0).normal(size=(30, 20)))
    runs = {}
    for epilogue in (False, True):
        tr = FusedTrainer(net, data, k=0.05, M=8, dtype="float32", precision=precision, epilogue=epilogue)
        for i in range(4):
            tr.step(i)
        runs[epilogue] = (tr.params(), tr.chains())
        assert tr.reduced and tr.epilogue == epilogue
    (A0, b0), x0 = runs[False]
    (A1, b1), x1 = runs[True]
    assert np.abs(A1 - A0).max() <= tol * max(1.0, np.abs(A0).max())
    assert np.abs(b1 - b0).max() <= tol * max(1.0, np.abs(b0).max())
    assert np.abs(A1).max() > 0  # it trained


def test_fused_trainer_epilogue_refusals(interpret):
    net = build_generative_network("fu_restricted2", n_visible=8, n_hidden=4, T=1.0, seed=1)
    data = np.ones((5, 8))
    with pytest.raises(ConfigError, match=r"`epilogue` needs dtype 'float32'"):
        FusedTrainer(net, data, k=0.1, M=2, epilogue=True)
    with pytest.raises(ConfigError, match=r"`compile` must be False with `epilogue`"):
        FusedTrainer(net, data, k=0.1, M=2, dtype="float32", epilogue=True, compile=True)
    with pytest.raises(ConfigError, match=r"`epilogue` needs the pathways folded"):
        FusedTrainer(net, data, k=0.1, M=2, dtype="float32", epilogue=True, fold=False)
    with pytest.raises(ConfigError, match=r"`epilogue` needs the reduced clamped phase"):
        FusedTrainer(net, data, k=0.1, M=2, dtype="float32", epilogue=True, reduce=False)


def test_training_config_epilogue_rules():
    base = {"data": {"name": "synthetic"}, "training": {"engine": "fused", "dtype": "float32"}}

    def cfg(**tr):
        return TrainConfig.from_dict({**base, "training": {**base["training"], **tr}})

    assert cfg(epilogue=True, tile=[64, 128, 32, 4, 3]).training.tile == (64, 128, 32, 4, 3)
    with pytest.raises(ConfigError, match=r"training.epilogue"):
        cfg(epilogue=True, compile=True)
    with pytest.raises(ConfigError, match=r"training.epilogue"):
        cfg(epilogue=True, dtype="float64")
    with pytest.raises(ConfigError, match=r"training.tile.*unset unless training.epilogue"):
        cfg(tile=[64, 64, 32, 4, 3])
    with pytest.raises(ConfigError, match=r"training.tile.*power of two"):
        cfg(epilogue=True, tile=[64, 64, 24, 4, 3])


# ----------------------------------------------------------------------------- GPU
@pytest.mark.gpu
@pytest.mark.parametrize("precision", ["highest", "tf32", "bf16"])
def test_epilogue_step_on_cuda(precision):
    if epilogue_missing():
        pytest.skip(reason="needs " + ", ".join(epilogue_missing()))
    M, N = 130, 300
    net = build_network("chaotic_rate", N=N, g=1.5, seed=0)
    cfg = RunConfig(T=1.0, dt=0.1)
    W = torch.tensor(net.weights["rand"], dtype=torch.float32, device="cuda")
    b = 0.3 * torch.randn(N, device="cuda")
    x0 = torch.randn(M, N, device="cuda")
    step = EpilogueStep(net, cfg, weight=W, bias=b, M=M, precision=precision)
    want = _reference(net, cfg, x0.cpu(), 10, b.cpu())
    tol = {"highest": 5e-6, "tf32": 5e-3, "bf16": 3e-2}[precision]
    assert float((step.run(x0, 10).double().cpu() - want).abs().max()) <= tol


@pytest.mark.gpu
def test_fused_trainer_epilogue_graph_on_cuda_matches_the_torch_step():
    if epilogue_missing():
        pytest.skip(reason="needs " + ", ".join(epilogue_missing()))
    net = build_generative_network("fu_restricted2", n_visible=40, n_hidden=24, T=2.0, seed=2)
    data = np.sign(np.random.default_rng(0).normal(size=(50, 40)))
    runs = {}
    for epilogue in (False, True):
        tr = FusedTrainer(net, data, k=0.05, M=16, device="cuda", dtype="float32", epilogue=epilogue)
        for i in range(3):
            tr.step(i)
        assert tr.use_graph
        runs[epilogue] = tr.params()[0]
    assert np.abs(runs[True] - runs[False]).max() <= 1e-5


def test_advance_continues_a_loaded_state(interpret):
    net = build_network("chaotic_rate", N=40, g=1.5, seed=0)
    W = torch.tensor(net.weights["rand"], dtype=torch.float32)
    step = EpilogueStep(net, RunConfig(T=1.0, dt=0.1), weight=W, bias=torch.zeros(40), M=3, device="cpu")
    x0 = torch.randn(3, 40, generator=torch.Generator().manual_seed(2))
    whole = step.run(x0, 7).clone()
    step.load(x0)
    step.advance(3)
    assert torch.equal(step.advance(4), whole)


def test_epilogue_training_resumes_exactly_with_its_tile(interpret, tmp_path):
    from neurochaos.data import Dataset
    from neurochaos.learning import train

    x = np.sign(np.random.default_rng(3).normal(size=(40, 16)))
    ds = Dataset(x[:30], np.zeros(30, int), x[30:], np.zeros(10, int), (4, 4), "toy", "pm1", "random +-1 images")
    cfg = TrainConfig.from_dict(
        {
            "model": {"card": "fu_restricted2", "n_visible": 16, "n_hidden": 5, "T": 1.0},
            "training": {
                "M": 4, "steps": 4, "engine": "fused", "dtype": "float32", "epilogue": True,
                "tile": [16, 16, 16, 4, 3], "checkpoint_every": 2,
            },
            "data": {"name": "toy"},
        }
    )  # fmt: skip
    whole = train(cfg, tmp_path / "whole", dataset=ds, progress=False)
    train(cfg.replace("training", steps=2), tmp_path / "half", dataset=ds, progress=False)
    rest = train(cfg, tmp_path / "half", dataset=ds, progress=False, resume=True)
    assert rest.step == 4 and np.abs(whole.network.A).max() > 0
    assert np.array_equal(rest.network.A, whole.network.A)


@pytest.mark.parametrize("precision,core", [("highest", None), ("tf32", "wgmma"), ("bf16", "wgmma")])
def test_the_kernel_compiles_for_an_h100_without_one(monkeypatch, precision, core):
    """Triton's compiler and ptxas, no GPU: the default tile lowers to Hopper tensor cores (TF32 and
    bf16), spills nothing, fits in shared memory, and the zero padding is what lets its loads be
    16-byte asynchronous copies (unpadded, bf16 gets none and fp32 only 4-byte ones)."""
    from neurochaos.executors.epilogue import compile_report

    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    r = compile_report(precision=precision, capability=90)
    assert r["tensor_core"] == core
    assert r["spill_bytes"] == 0 and r["shared_bytes"] <= 227 * 1024
    assert r["async_copies"].get(16, 0) > 0
    unpadded = compile_report(precision=precision, capability=90, padded=False)
    assert unpadded["async_copies"].get(16, 0) == 0
