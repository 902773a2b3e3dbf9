"""Shared fixtures: Brian2 device reset, CUDA skip, data locations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_configure(config):
    """One fresh cache of Brian2-derived answers (neurochaos.derived) per test session, inherited by subprocesses."""
    import os
    import tempfile

    if "NEUROCHAOS_CACHE" not in os.environ:
        os.environ["NEUROCHAOS_CACHE"] = tempfile.mkdtemp(prefix="neurochaos-cache-")


MNIST_DIR = SHARED / "data" / "mnist"


#: The smallest training config the CLI tests use: restricted 2-layer, 64 + 8 units, digits.
TINY_TRAIN_TOML = """
[model]
card = "fu_restricted2"
n_visible = 64
n_hidden = 8
T = 1.0
[training]
M = 10
steps = {steps}
checkpoint_every = 1
k = {k}
[data]
name = "digits"
n_train = 200
n_test = 100
"""


@pytest.fixture(scope="session")
def tiny_train_toml():
    """``tiny_train_toml(steps=3, k=0.01)``: the text of :data:`TINY_TRAIN_TOML`."""
    return lambda steps=3, k=0.01: TINY_TRAIN_TOML.format(steps=steps, k=k)


@pytest.fixture(autouse=True)
def _reset_brian_device():
    """Leave Brian2 in runtime mode after every test (standalone builds switch it)."""
    yield
    import brian2

    brian2.set_device("runtime")


def _cuda_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


def pytest_collection_modifyitems(config, items):
    import os

    build_cuda = os.environ.get("NEUROCHAOS_TEST_CUDA_BUILD") == "1"
    skip_build = pytest.mark.skip(
        reason="compiling a cuda_standalone project with nvcc takes 3-6 min on 2 cores, more than CI's "
        "budget allows; set NEUROCHAOS_TEST_CUDA_BUILD=1 (or run `make test-cuda-build`) to run it"
    )
    skip_gpu = pytest.mark.skip(reason="needs a CUDA GPU; torch sees none on this machine")
    has_gpu = _cuda_available()
    for item in items:
        if "cuda_build" in item.keywords and not build_cuda:
            item.add_marker(skip_build)
        if "gpu" in item.keywords and not has_gpu:
            item.add_marker(skip_gpu)


@pytest.fixture
def mnist_dir():
    """The shared MNIST test set (IDX); tests using it skip when ../shared is absent."""
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST IDX files not found in {MNIST_DIR} (../shared/data/mnist beside the checkout)")
    return MNIST_DIR


@pytest.fixture(scope="session")
def has_compiler():
    if shutil.which("g++") is None or shutil.which("make") is None:
        pytest.skip("needs g++ and make for Brian2 cpp_standalone")
    return True
