"""Shared fixtures: Brian2 device reset, CUDA skip, data locations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
MNIST_DIR = SHARED / "data" / "mnist"


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
    if _cuda_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU; torch sees none on this machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


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
