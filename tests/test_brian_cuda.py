"""brian2cuda: generate and compile a cuda_standalone project with nvcc, with or without a GPU."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.errors import ConfigError, ExecutorUnavailableError
from neurochaos.executors import RunConfig, get_executor
from neurochaos.executors.brian_cuda import cuda_missing
from neurochaos.model import build_network, initial_state


@pytest.mark.standalone
@pytest.mark.slow
@pytest.mark.cuda_build
def test_cuda_standalone_project_compiles_without_a_gpu(tmp_path):
    missing = cuda_missing(require_gpu=False)
    if missing:
        pytest.skip(reason="cannot compile cuda_standalone here: missing " + "; ".join(missing))
    net = build_network("chaotic_rate", N=16, g=1.5, seed=0)
    ex = get_executor("brian2-cuda", require_gpu=False, compute_capability=9.0, directory=str(tmp_path / "cuda"))
    ex.prepare(net, RunConfig(T=1.0, dt=0.1))
    project = ex.compile_only(chains=2)
    assert (project / "main").exists()
    makefile = (project / "makefile").read_text()
    assert "sm_90" in makefile or "compute_90" in makefile
    if cuda_missing(require_gpu=True):
        with pytest.raises(ExecutorUnavailableError, match=r"compiled without a GPU cannot run here: missing"):
            ex.run(np.zeros((2, 16)))


def test_cuda_prefs_must_name_brian2cuda_preferences():
    if cuda_missing(require_gpu=False):
        pytest.skip(reason="brian2cuda or nvcc missing: " + "; ".join(cuda_missing(require_gpu=False)))
    with pytest.raises(ConfigError, match=r"`cuda_prefs` must name preferences of .*got \['parallel_blokcs'\]"):
        get_executor("brian2-cuda", cuda_prefs={"parallel_blokcs": None})


def test_cuda_without_gpu_needs_a_compute_capability():
    if cuda_missing(require_gpu=False):
        pytest.skip(reason="brian2cuda or nvcc missing: " + "; ".join(cuda_missing(require_gpu=False)))
    net = build_network("chaotic_rate", N=8, seed=0)
    with pytest.raises(ExecutorUnavailableError, match=r"needs `compute_capability` \(e.g. 9.0 for H100\), got None"):
        get_executor("brian2-cuda", require_gpu=False).prepare(net, RunConfig(T=1.0))


@pytest.mark.gpu
@pytest.mark.standalone
def test_cuda_standalone_matches_torch_on_a_gpu(tmp_path):
    missing = cuda_missing(require_gpu=True)
    if missing:
        pytest.skip(reason="brian2-cuda cannot run here: missing " + "; ".join(missing))
    net = build_network("chaotic_rate", N=80, g=0.8, seed=0)
    x0 = initial_state(net, 2, seed=1)
    cfg = RunConfig(T=20.0, dt=0.1)
    with get_executor("brian2-cuda", directory=str(tmp_path / "cuda")) as ex:
        ex.prepare(net, cfg)
        a = ex.run(x0)
        b = ex.run(x0, gain=1.5)
        assert ex.n_builds == 1
    with get_executor("torch") as ref:
        ref.prepare(net, cfg)
        ra = ref.run(x0)
        rb = ref.run(x0, gain=1.5)
    assert np.abs(a.x - ra.x).max() <= 1e-6
    assert np.abs(b.x[:50] - rb.x[:50]).max() <= 1e-6
