"""Lyapunov exponents: QR method, two trajectories, Jacobians from the model."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.analysis import (
    compute_lambda_max,
    compute_lyapunov_spectra,
    compute_lyapunov_spectrum,
    detect_drift_form,
    entropy_rate,
    kaplan_yorke_dimension,
    step_jacobian,
)
from neurochaos.analysis.jacobian import run_config_for
from neurochaos.errors import ConfigError
from neurochaos.model import SquareGain, build_network


@pytest.mark.parametrize("card", ["chaotic_rate", "hopfield_rate", "mixed_rate"])
@pytest.mark.parametrize("method", ["euler", "exponential_euler"])
def test_analytic_jacobian_equals_autograd_jacobian(card, method):
    net = build_network(card, N=12, g=2.5, seed=1, **({"P": 2} if card != "chaotic_rate" else {}))
    x = np.random.default_rng(0).normal(0, 2, size=12)
    auto = step_jacobian(net, x, method=method)
    ana = step_jacobian(net, x, method=method, analytic=True)
    assert np.abs(auto - ana).max() < 1e-12
    assert np.abs(auto - np.eye(12)).max() > 1e-3  # a real Jacobian, not the identity


def test_drift_form_step_size_per_method():
    net = build_network("chaotic_rate", N=8, g=2.0, seed=0)
    h = {
        m: detect_drift_form(net, run_config_for(net, T=1.0, dt=0.2, method=m)).h
        for m in ("euler", "exponential_euler")
    }
    assert h["euler"] == pytest.approx(0.2)
    assert h["exponential_euler"] == pytest.approx(1 - np.exp(-0.2))


@pytest.mark.parametrize("method", ["rk2", "heun", "rk4"])
def test_runge_kutta_steps_are_not_drift_form_and_autograd_gives_their_jacobian(method):
    """A real Runge-Kutta step recomputes W tanh(x) per stage: its Jacobian is not (1 - h) I + h W D."""
    net = build_network("chaotic_rate", N=8, g=2.0, seed=0)
    assert detect_drift_form(net, run_config_for(net, T=1.0, dt=0.2, method=method)) is None
    with pytest.raises(ConfigError, match="analytic"):
        step_jacobian(net, np.zeros(8), method=method, analytic=True)
    x = np.random.default_rng(0).normal(0, 2, size=8)
    auto = step_jacobian(net, x, dt=0.2, method=method)
    eps = 1e-6
    fd = np.stack([_step_fd(net, x, j, eps, method) for j in range(8)], axis=1)
    assert np.abs(auto - fd).max() < 1e-7


def _step_fd(net, x, j, eps, method):
    import torch

    from neurochaos.executors.torch_engine import make_step

    step = make_step(net, run_config_for(net, T=0.2, dt=0.2, method=method))
    e = np.zeros_like(x)
    e[j] = eps
    with torch.no_grad():
        hi = step(torch.as_tensor((x + e)[None]), 0).numpy()[0]
        lo = step(torch.as_tensor((x - e)[None]), 0).numpy()[0]
    return (hi - lo) / (2 * eps)


def test_rk4_with_varying_gain_is_not_drift_form():
    net = build_network("chaotic_rate", N=8, g=SquareGain(low=1, high=3, period=2.0), seed=0)
    assert detect_drift_form(net, run_config_for(net, T=4.0, method="rk4")) is None
    with pytest.raises(ConfigError, match="analytic"):
        compute_lyapunov_spectrum(net, k=2, T=2.0, transient=0.0, method="rk4", jacobian="analytic")


def test_qr_spectrum_at_the_fixed_point_equals_log_eigenvalues_of_the_euler_map():
    N, g, dt = 20, 0.7, 0.1
    net = build_network("chaotic_rate", N=N, g=g, seed=3)
    D = (1 - dt) * np.eye(N) + dt * g * net.weights["rand"]
    expected = np.sort(np.log(np.abs(np.linalg.eigvals(D))) / dt)[::-1]
    res = compute_lyapunov_spectrum(net, T=400.0, transient=20.0, dt=dt, x0=np.zeros((1, N)))
    assert np.abs(res.spectrum - expected).max() < 5e-3
    assert res.kaplan_yorke_dim == 0.0 and res.entropy_rate == 0.0
    assert res.trace.shape == (400, 10) and res.trace_t[-1] == pytest.approx(400.0)


@pytest.mark.parametrize("gain", [2.5, SquareGain(low=1.0, high=3.0, period=2.0)])
def test_autograd_and_analytic_paths_give_the_same_spectrum(gain):
    net = build_network("mixed_rate", N=16, g=gain, P=2, seed=2)
    a = compute_lyapunov_spectrum(net, k=4, T=6.0, transient=2.0, jacobian="analytic")
    b = compute_lyapunov_spectrum(net, k=4, T=6.0, transient=2.0, jacobian="autograd")
    assert a.settings["jacobian"] == "analytic" and b.settings["jacobian"] == "autograd"
    np.testing.assert_allclose(a.spectrum, b.spectrum, rtol=0, atol=1e-9)


def test_qr_and_two_trajectory_lambda_max_agree():
    net = build_network("chaotic_rate", N=120, g=4.0, seed=0)
    qr = compute_lyapunov_spectrum(net, k=3, T=80.0, transient=20.0, seed=5)
    two = compute_lambda_max(net, T=80.0, transient=20.0, seed=5)
    assert qr.lambda_max > 0.05
    assert abs(qr.lambda_max - two.lambda_max) < 0.05 * abs(two.lambda_max)


def test_batch_matches_single_runs_and_sign_follows_g():
    nets = [build_network("chaotic_rate", N=60, g=g, seed=0) for g in (0.6, 4.0)]
    batch = compute_lyapunov_spectra(nets, k=2, T=30.0, transient=10.0, seed=4)
    single = compute_lyapunov_spectrum(nets[0], k=2, T=30.0, transient=10.0, seed=4)
    np.testing.assert_allclose(batch[0].spectrum, single.spectrum, rtol=1e-12)
    assert batch[0].lambda_max < 0 < batch[1].lambda_max


def test_kaplan_yorke_and_entropy_rate():
    assert kaplan_yorke_dimension([1.0, 0.5, -1.0, -2.0]) == (3.25, False)
    assert kaplan_yorke_dimension([0.3, 0.1]) == (2.0, True)
    assert entropy_rate([1.0, 0.5, -1.0]) == 1.5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k": 11}, r"`k` must be an integer in \[1, N = 10\], got 11"),
        ({"k": 0}, r"`k` must be an integer >= 1, got 0"),
        ({"T": 0.0}, r"`T` must be in \(0.0, inf\), got 0.0"),
        ({"T": -5.0}, r"`T` must be"),
        ({"t_ons": 0.0}, r"`t_ons` must be in \(0.0, inf\)"),
        ({"t_ons": 0.05}, r"`t_ons` must be >= dt = 0.1"),
        ({"transient": -1.0}, r"`transient` must be in \[0.0, inf\)"),
        ({"jacobian": "exact"}, r"`jacobian` must be one of"),
        ({"x0": np.zeros((1, 3))}, r"`x0` must be of shape \(1, 10\)"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, match):
    net = build_network("chaotic_rate", N=10, g=2.0, seed=0)
    with pytest.raises(ConfigError, match=match):
        compute_lyapunov_spectrum(net, **{"T": 2.0, "transient": 0.0, **kwargs})


def test_networks_of_different_sizes_cannot_be_batched():
    nets = [build_network("chaotic_rate", N=n, g=2.0, seed=0) for n in (10, 12)]
    with pytest.raises(ConfigError, match="same size"):
        compute_lyapunov_spectra(nets, k=2, T=2.0)
    with pytest.raises(ConfigError, match="`d0` must be"):
        compute_lambda_max(nets[0], T=2.0, d0=0.0)


@pytest.mark.gpu
def test_cuda_spectrum_matches_cpu():
    net = build_network("chaotic_rate", N=200, g=3.0, seed=0)
    kw = dict(k=20, T=20.0, transient=5.0, seed=1)
    cpu = compute_lyapunov_spectrum(net, **kw)
    gpu = compute_lyapunov_spectrum(net, device="cuda", **kw)
    np.testing.assert_allclose(gpu.spectrum, cpu.spectrum, atol=1e-6)
