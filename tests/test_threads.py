"""One CPU thread pool busy at a time: numpy's BLAS with torch held at one thread, and back."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from neurochaos.analysis import compute_lyapunov_spectrum
from neurochaos.cli import main
from neurochaos.executors import RunConfig, get_executor
from neurochaos.model import build_network, initial_state
from neurochaos.threads import blas_pool


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield 2
    torch.set_num_threads(before)


def test_blas_pool_holds_torch_at_one_thread_only_for_numpy_on_the_cpu(two_threads):
    with blas_pool("numpy"):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == two_threads
    for args in (("torch",), ("numpy", "cuda")):
        with blas_pool(*args):
            assert torch.get_num_threads() == two_threads
    with pytest.raises(RuntimeError), blas_pool("numpy"):
        raise RuntimeError("inside")
    assert torch.get_num_threads() == two_threads  # restored on an error too


def test_lyapunov_numpy_blas_runs_torch_on_one_thread_and_gives_the_same_spectrum(two_threads, monkeypatch):
    net = build_network("chaotic_rate", N=40, g=2.5, seed=3)
    seen = []
    qr = torch.linalg.qr

    def counting_qr(*a, **k):
        seen.append(torch.get_num_threads())
        return qr(*a, **k)

    monkeypatch.setattr(torch.linalg, "qr", counting_qr)
    kw = dict(k=5, T=10.0, transient=2.0, seed=1)
    a = compute_lyapunov_spectrum(net, **kw)  # default: numpy's BLAS
    assert a.settings["cpu_blas"] == "numpy" and seen and set(seen) == {1}
    seen.clear()
    b = compute_lyapunov_spectrum(net, **kw, cpu_blas="torch")
    assert set(seen) == {two_threads} and torch.get_num_threads() == two_threads
    np.testing.assert_allclose(a.spectrum, b.spectrum, rtol=0, atol=1e-12)


def test_torch_engine_multiplies_through_numpy_by_default_and_agrees_with_torch_blas(two_threads):
    net = build_network("chaotic_rate", N=50, g=2.0, seed=0)
    x0 = initial_state(net, 3, seed=1)
    cfg = RunConfig(T=5.0, dt=0.1)
    traces = {}
    for blas in (None, "torch"):
        with get_executor("torch", **({} if blas is None else {"cpu_blas": blas})) as ex:
            ex.prepare(net, cfg)
            traces[blas] = ex.run(x0)
        assert torch.get_num_threads() == two_threads
    assert traces[None].meta["cpu_blas"] == "numpy" and traces["torch"].meta["cpu_blas"] == "torch"
    np.testing.assert_allclose(traces[None].x, traces["torch"].x, rtol=0, atol=1e-12)


def test_cli_lyapunov_takes_the_blas_and_refuses_another(capsys):
    argv = ["lyapunov", "chaotic_rate", "--N", "20", "--T", "4", "--transient", "1", "--exponents", "2", "--json"]
    assert main([*argv, "--cpu-blas", "torch", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["cpu_blas"] == "torch"
    with pytest.raises(SystemExit) as info:
        main([*argv, "--cpu-blas", "mkl"])
    assert info.value.code == 2 and "invalid choice: 'mkl'" in capsys.readouterr().err
