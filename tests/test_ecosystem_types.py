"""Brian2 quantities, torch devices and numpy / torch dtypes accepted at the boundary; float32 returned as asked."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from brian2 import ms, mV

from neurochaos.errors import ConfigError
from neurochaos.executors import RunConfig
from neurochaos.simulate import simulate


@pytest.mark.parametrize("given", [torch.float32, np.float32, np.dtype("float32"), "float32"])
def test_run_config_takes_numpy_and_torch_float_types(given):
    assert RunConfig(T=1.0, dtype=given).dtype == "float32"


def test_run_config_takes_a_torch_device_and_refuses_other_types():
    assert RunConfig(T=1.0, device=torch.device("cpu")).device == "cpu"
    with pytest.raises(ConfigError, match=r"`dtype` must be one of 'float64', 'float32', got 'int32'"):
        RunConfig(T=1.0, dtype=torch.int32)


def test_brian2_times_are_divided_by_the_cards_tau():
    a = simulate("chaotic_rate", N=20, T=100 * ms, dt=1 * ms, seed=2)  # tau = 10 ms
    b = simulate("chaotic_rate", N=20, T=10.0, dt=0.1, seed=2)
    np.testing.assert_array_equal(a.x, b.x)
    with pytest.raises(ConfigError, match=r"`T` must be a time: a number in units of tau \(tau = 10 ms\).*got 100"):
        simulate("chaotic_rate", N=20, T=100 * mV)


@pytest.mark.parametrize("executor", ["numpy", "torch"])
def test_float32_asked_is_float32_returned(executor):
    tr = simulate("chaotic_rate", N=20, T=1.0, dtype=torch.float32, executor=executor)
    assert tr.x.dtype == np.float32 and tr.x_final.dtype == np.float32 and tr.meta["dtype"] == "float32"
    assert simulate("chaotic_rate", N=20, T=1.0, executor=executor).x.dtype == np.float64
