"""The prepared GPU configs (issue 19) are valid: every (data set, architecture) run they describe
builds a TrainConfig, with the fast mode (fused engine, epilogue kernel) they were written for."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from neurochaos.learning import load_train_config

ROOT = Path(__file__).resolve().parents[1]
GEN = ROOT / "experiments" / "chaotic_generation"


def _run_module():
    spec = importlib.util.spec_from_file_location("chaotic_generation_run", GEN / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ["gpu_fast", "gpu_paper_mnist", "gpu_paper_fashion"])
def test_paper_scale_experiment_configs_build(name):
    run = _run_module()
    spec = run.load_experiment(GEN / f"{name}.toml")
    exp = spec["experiment"]
    for dataset in exp["datasets"]:
        for arch in exp["architectures"]:
            cfg = run.train_config(spec, dataset, arch)
            assert cfg.training.engine == "fused" and cfg.training.epilogue and cfg.training.device == "cuda"
            assert cfg.training.M == 500 and cfg.model.n_hidden == 500
            assert cfg.training.steps >= 300_000


def test_paper_scale_pool_config_builds():
    cfg = load_train_config(ROOT / "experiments" / "chaos_driven_sampling" / "gpu_pool.toml")
    assert cfg.model.n_pool == 500 and cfg.training.epilogue and cfg.training.k_final == 0.001
