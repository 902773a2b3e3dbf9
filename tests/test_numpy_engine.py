"""The numpy executor: the torch engine's generated update on numpy arrays, without importing torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from neurochaos.errors import ConfigError
from neurochaos.executors import RunConfig, get_executor
from neurochaos.model import SquareGain, build_network, initial_state


def _run(name, net, cfg, x0, **kw):
    with get_executor(name) as ex:
        ex.prepare(net, cfg)
        return ex.run(x0, **kw)


@pytest.mark.parametrize("card", ["chaotic_rate", "hopfield_rate", "mixed_rate"])
@pytest.mark.parametrize("method", ["euler", "exponential_euler", "rk4"])
def test_numpy_and_torch_run_the_same_update(card, method):
    net = build_network(card, N=40, g=2.0, seed=1, **({} if card == "chaotic_rate" else {"P": 2}))
    x0 = initial_state(net, 3, seed=2)
    cfg = RunConfig(T=6.0, dt=0.1, method=method, record_every=3)
    kw = {"gain": SquareGain(low=0.5, high=2.5, period=1.0), "bias": 0.1}
    a, b = _run("numpy", net, cfg, x0, **kw), _run("torch", net, cfg, x0, **kw)
    assert a.executor == "numpy" and a.x.shape == b.x.shape == (20, 3, 40)
    np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.x_final, b.x_final, rtol=0, atol=1e-12)


def test_float32_is_computed_in_float32():
    net = build_network("chaotic_rate", N=60, g=1.5, seed=0)
    x0 = initial_state(net, 2, seed=1)
    cfg64, cfg32 = RunConfig(T=5.0, dt=0.1), RunConfig(T=5.0, dt=0.1, dtype="float32")
    a32, b32, a64 = _run("numpy", net, cfg32, x0), _run("torch", net, cfg32, x0), _run("numpy", net, cfg64, x0)
    assert a32.meta["dtype"] == "float32"
    np.testing.assert_allclose(a32.x_final, b32.x_final, rtol=0, atol=1e-5)
    assert 0 < np.abs(a32.x_final - a64.x_final).max() < 1e-4  # rounded like float32, not float64


def test_the_numpy_executor_refuses_a_gpu_and_a_bad_dtype():
    net = build_network("chaotic_rate", N=10, seed=0)
    with pytest.raises(ConfigError, match=r"`device` must be 'cpu' for the numpy executor, got 'cuda'; use 'torch'"):
        get_executor("numpy").prepare(net, RunConfig(T=1.0, device="cuda"))
    with pytest.raises(ConfigError, match=r"`dtype` must be one of \['float64', 'float32'\], got 'float16'"):
        get_executor("numpy", dtype="float16")


_RUN = """
import sys, json
import numpy as np
from neurochaos import simulate
tr = simulate("mixed_rate", N=40, P=2, T=5.0, seed=3, executor="{executor}")
out = {{m: m in sys.modules for m in ("torch", "brian2", "sympy")}}
print(json.dumps({{**out, "x": tr.x_final.ravel().tolist()}}))
"""


def test_a_numpy_run_with_a_warm_cache_imports_no_torch_brian2_or_sympy(tmp_path):
    env = {**os.environ, "NEUROCHAOS_CACHE": str(tmp_path / "cache")}

    def run(executor):
        code = _RUN.format(executor=executor)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    cold = run("numpy")
    assert cold["brian2"]  # the first run asked Brian2 for the update
    warm = run("numpy")
    assert not (warm["torch"] or warm["brian2"] or warm["sympy"]), warm
    torch_run = run("torch")
    assert torch_run["torch"]
    np.testing.assert_allclose(warm["x"], torch_run["x"], rtol=0, atol=1e-12)


def test_simulate_picks_numpy_on_the_cpu_and_the_cli_says_so(tmp_path):
    from neurochaos.cli import main
    from neurochaos.simulate import simulate

    assert simulate("chaotic_rate", N=20, T=1.0).meta["executor"] == "numpy"
    assert simulate("chaotic_rate", N=20, T=1.0, executor="torch").meta["executor"] == "torch"
    out = tmp_path / "x.npz"
    assert main(["simulate", "chaotic_rate", "--N", "20", "--T", "1", "--out", str(out), "--no-progress"]) == 0
    assert json.loads((tmp_path / "x.json").read_text())["executor"] == "numpy"
