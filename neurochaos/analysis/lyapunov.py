"""Lyapunov spectra of rate networks by the QR (Benettin) method; two-trajectory check in ``separation``.

QR method (Benettin et al. 1980; Engelken, Wolf & Abbott 2023): evolve k
orthonormal tangent vectors ``Q`` (N, k) with the Jacobian D_n of the
integration step, ``Q <- D_n Q``; every ``t_ons`` re-orthonormalise
``Q, R = qr(Q)`` and, after a transient, accumulate ``log |R_ii|``. Then
``lambda_i = sum log |R_ii| / (measured time)`` in units of 1/tau.

The Jacobian is that of the step generated from the model card
(:mod:`neurochaos.analysis.jacobian`): analytic for drift-form steps
``x + h(-x + W tanh(x) + b)`` (checked numerically against the card's step),
torch autograd (``torch.func.jvp`` under ``vmap``) otherwise. Several networks
of the same size are run as one batch (``torch.bmm`` / batched QR), on CPU or
CUDA.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import DivergenceError
from ..model import build_network, seed_streams
from ..model.schedule import constant_value
from ..validation import check_choice, check_finite_array, check_int, fail
from .jacobian import check_times, detect_drift_form, make_autograd_step, renormalisation_intervals, run_config_for

__all__ = [
    "LyapunovSpectrum",
    "compute_lyapunov_spectra",
    "compute_lyapunov_spectrum",
    "compute_model_lyapunov",
    "kaplan_yorke_dimension",
    "entropy_rate",
]


def kaplan_yorke_dimension(spectrum) -> tuple[float, bool]:
    """Kaplan-Yorke dimension ``k + sum_{i<=k} lambda_i / |lambda_{k+1}|``.

    ``k`` is the largest index with a non-negative cumulative sum. When the
    cumulative sum of all given exponents is non-negative the dimension is only
    bounded below by their number; the second value then is True.

    Returns
    -------
    (dimension, is_lower_bound)

    >>> kaplan_yorke_dimension([0.5, 0.0, -1.0])
    (2.5, False)
    >>> kaplan_yorke_dimension([-0.1, -0.2])
    (0.0, False)
    """
    lam = np.sort(np.asarray(spectrum, dtype=float))[::-1]
    cs = np.cumsum(lam)
    nonneg = np.nonzero(cs >= 0)[0]
    if len(nonneg) == 0:
        return 0.0, False
    k = int(nonneg[-1]) + 1
    if k == len(lam):
        return float(k), True
    return float(k + cs[k - 1] / abs(lam[k])), False


def entropy_rate(spectrum) -> float:
    """Sum of the positive exponents (Pesin bound on the KS entropy rate), 1/tau.

    >>> entropy_rate([0.3, 0.1, -0.5])
    0.4
    """
    lam = np.asarray(spectrum, dtype=float)
    return float(np.round(lam[lam > 0].sum(), 15))


@dataclass(frozen=True, eq=False)
class LyapunovSpectrum:
    """The first k Lyapunov exponents of one network.

    Attributes
    ----------
    spectrum : ndarray, shape (k,), 1/tau, descending
    lambda_max : largest exponent, 1/tau
    kaplan_yorke_dim : Kaplan-Yorke dimension (number of units' worth of directions)
    kaplan_yorke_is_lower_bound : True when the k exponents sum to >= 0 (more are needed)
    entropy_rate : sum of the positive exponents, 1/tau (a lower bound if spectrum[-1] > 0)
    trace_t : ndarray, shape (n_ons,), tau elapsed since the end of the transient
    trace : ndarray, shape (n_ons, m), running estimates of the first m exponents, 1/tau
    settings : resolved settings (k, T, t_ons, transient, dt, method, jacobian, seed, ...)
    """

    spectrum: np.ndarray
    lambda_max: float
    kaplan_yorke_dim: float
    kaplan_yorke_is_lower_bound: bool
    entropy_rate: float
    trace_t: np.ndarray
    trace: np.ndarray
    settings: dict = field(default_factory=dict)

    def to_dict(self, trace: bool = False) -> dict:
        """JSON-able dict (``trace=True`` adds the convergence trace)."""
        d = {
            "lambda_max": self.lambda_max,
            "spectrum": self.spectrum.tolist(),
            "kaplan_yorke_dim": self.kaplan_yorke_dim,
            "kaplan_yorke_is_lower_bound": self.kaplan_yorke_is_lower_bound,
            "entropy_rate": self.entropy_rate,
            "settings": dict(self.settings),
        }
        if trace:
            d["trace_t"] = self.trace_t.tolist()
            d["trace"] = self.trace.tolist()
        return d


def _gain_lookup(gains, dt):
    from ..executors.integrators import timed_array_index

    return lambda n: float(gains[timed_array_index(n * dt, dt, len(gains))])


def compute_lyapunov_spectra(
    networks,
    *,
    k: int | None = None,
    T: float = 200.0,
    t_ons: float = 1.0,
    transient: float = 50.0,
    dt: float | None = None,
    method: str | None = None,
    x0=None,
    seed: int = 0,
    jacobian: str = "auto",
    n_trace: int = 10,
    device: str = "cpu",
    dtype: str = "float64",
    progress: bool = False,
    cpu_blas: str = "numpy",
) -> list[LyapunovSpectrum]:
    """First k Lyapunov exponents of several same-size networks, as one batch.

    Parameters
    ----------
    networks : sequence of RateNetwork (any rate card), all with the same N
    k : number of exponents, 1 <= k <= N (default N)
    T : measured duration after the transient, units of tau (> 0)
    t_ons : time between re-orthonormalisations, units of tau (>= dt)
    transient : duration evolved (state and tangents) before measuring, units of tau
    dt, method : integration step (units of tau) and Brian2 method (default: the card's)
    x0 : ndarray, shape (B, N), initial states (default N(0, 1) from ``seed``)
    seed : seeds x0 and the initial tangent vectors
    jacobian : "auto" (analytic when the step has drift form, else autograd),
        "analytic" or "autograd"
    n_trace : number of leading exponents kept in the convergence trace
    device, dtype : torch device ("cpu", "cuda") and "float64" / "float32"
    cpu_blas : "numpy" or "torch": on the CPU, which BLAS multiplies W by the
        tangents in the analytic path ("numpy": zero-copy through numpy's
        OpenBLAS, with torch's pool held at one thread meanwhile
        (:func:`neurochaos.threads.blas_pool`); on the 2-core AMD dev machine,
        N = 500, k = 20, QR every step, 100 tau: 0.8 s against 1.2 s with
        "torch"; results are identical up to rounding)

    Returns
    -------
    list of LyapunovSpectrum, one per network

    >>> from neurochaos.model import build_network
    >>> nets = [build_network("chaotic_rate", N=30, g=0.5, seed=s) for s in (0, 1)]
    >>> res = compute_lyapunov_spectra(nets, k=3, T=20.0, transient=5.0)
    >>> [bool(r.lambda_max < 0) for r in res]
    [True, True]
    """
    import torch

    from ..executors.torch_engine import _resolve_device

    networks = list(networks)
    if not networks:
        fail("networks", "a non-empty sequence of RateNetwork", networks)
    N = networks[0].N
    if any(net.N != N for net in networks):
        fail("networks", f"all of the same size N = {N}", [net.N for net in networks])
    k = N if k is None else check_int(k, "k", min_value=1)
    if k > N:
        fail("k", f"an integer in [1, N = {N}]", k)
    check_choice(jacobian, "jacobian", ("auto", "analytic", "autograd"))
    check_choice(cpu_blas, "cpu_blas", ("numpy", "torch"))
    n_trace = check_int(n_trace, "n_trace", min_value=1)
    seed = check_int(seed, "seed", min_value=0)
    cfg0 = run_config_for(networks[0], T=1.0, dt=dt, method=method, dtype=dtype, device=device)
    n_ons, n_tr, n_meas = check_times(T, t_ons, transient, cfg0.dt)
    n_steps = (n_tr + n_meas) * n_ons
    cfg = run_config_for(networks[0], T=n_steps * cfg0.dt, dt=cfg0.dt, method=cfg0.method, dtype=dtype, device=device)
    B = len(networks)
    dev, tdt = _resolve_device(device), {"float64": torch.float64, "float32": torch.float32}[dtype]
    use_np = dev.type == "cpu" and cpu_blas == "numpy"
    rngs = seed_streams(seed, 2 * B)
    if x0 is None:
        x0 = np.stack([rngs[2 * b].normal(size=N) for b in range(B)])
    x0 = check_finite_array(x0, "x0", shape=(B, N))
    Q0 = np.stack([np.linalg.qr(rngs[2 * b + 1].normal(size=(N, k)))[0] for b in range(B)])
    forms = [detect_drift_form(net, cfg) if jacobian != "autograd" else None for net in networks]
    if jacobian == "analytic" and any(f is None for f in forms):
        bad = [net.card.name for net, f in zip(networks, forms) if f is None]
        fail(
            "jacobian",
            f"'auto' or 'autograd' for {bad} (method {cfg.method!r}: not x + h(-x + W tanh(x) + b))",
            jacobian,
        )
    analytic = all(f is not None for f in forms)
    sampled = [net.gain.sample(n_steps + 1, cfg.dt) for net in networks]
    gains = [_gain_lookup(gs, cfg.dt) for gs in sampled]
    x = torch.as_tensor(x0, dtype=tdt, device=dev)
    Q = torch.as_tensor(Q0, dtype=tdt, device=dev)
    if analytic:
        h = torch.as_tensor([f.h for f in forms], dtype=tdt, device=dev)[:, None, None]
        bias = torch.as_tensor(np.stack([f.bias for f in forms]), dtype=tdt, device=dev)
        constant = all(constant_value(gs) is not None for gs in sampled)

        def W_at(n):
            stacked = np.stack([f.coupling(gl(n)) for f, gl in zip(forms, gains)])
            return torch.as_tensor(stacked, dtype=tdt, device=dev)

        W = W_at(0)

        def advance(x, Q, n):
            nonlocal W
            if not constant and n > 0:
                W = W_at(n)
            r = torch.tanh(x)
            V = torch.cat([r[:, :, None], (1 - r * r)[:, :, None] * Q], dim=2)
            if use_np:
                WV = torch.from_numpy(np.matmul(W.numpy(), V.numpy()))
            else:
                WV = torch.bmm(W, V)
            x_new = x + h[:, :, 0] * (-x + WV[:, :, 0] + bias)
            return x_new, (1 - h) * Q + h * WV[:, :, 1:]
    else:
        from torch.func import jvp, vmap

        steps = [
            make_autograd_step(net, cfg, gains=gs, device=device, dtype=dtype) for net, gs in zip(networks, sampled)
        ]

        def advance(x, Q, n):
            xs, Qs = [], []
            for b, step in enumerate(steps):
                f = lambda y, step=step: step(y[None, :], n)[0]  # noqa: E731
                Qs.append(vmap(lambda v, f=f, xb=x[b]: jvp(f, (xb,), (v,))[1], in_dims=1, out_dims=1)(Q[b]))
                xs.append(f(x[b]))
            return torch.stack(xs), torch.stack(Qs)

    m = min(k, n_trace)
    total = torch.zeros((B, k), dtype=torch.float64, device=dev)
    trace = np.empty((n_meas, B, m))
    intervals = renormalisation_intervals(n_tr, n_meas, n_ons, desc=f"lyapunov N={N} k={k} B={B}", progress=progress)
    from ..threads import blas_pool

    with torch.no_grad(), blas_pool("numpy" if analytic and use_np else "torch", dev.type):
        for j, block in intervals:
            for n in block:
                x, Q = advance(x, Q, n)
            n = block.stop
            Q, R = torch.linalg.qr(Q)
            if not bool(torch.isfinite(x).all()):
                raise DivergenceError(
                    f"`x` became non-finite at step {n} (t = {n * cfg.dt:g} tau) while computing "
                    "Lyapunov exponents; reduce dt or check the weights"
                )
            if j >= n_tr:
                total += torch.log(torch.abs(torch.diagonal(R, dim1=1, dim2=2))).to(torch.float64)
                trace[j - n_tr] = (total[:, :m] / ((j - n_tr + 1) * n_ons * cfg.dt)).cpu().numpy()
    t_meas = n_meas * n_ons * cfg.dt
    lam = (total / t_meas).cpu().numpy()
    settings = {
        "k": k,
        "T": t_meas,
        "t_ons": n_ons * cfg.dt,
        "transient": n_tr * n_ons * cfg.dt,
        "dt": cfg.dt,
        "method": cfg.method,
        "jacobian": "analytic" if analytic else "autograd",
        "seed": seed,
        "device": str(dev),
        "dtype": dtype,
        "cpu_blas": cpu_blas if dev.type == "cpu" else "torch",
        "N": N,
    }
    out = []
    for b, net in enumerate(networks):
        spec = np.sort(lam[b])[::-1]
        dky, lower = kaplan_yorke_dimension(spec)
        out.append(
            LyapunovSpectrum(
                spectrum=spec,
                lambda_max=float(spec[0]),
                kaplan_yorke_dim=dky,
                kaplan_yorke_is_lower_bound=lower,
                entropy_rate=entropy_rate(spec),
                trace_t=(np.arange(n_meas) + 1) * n_ons * cfg.dt,
                trace=trace[:, b, :].copy(),
                settings={**settings, "model": net.card.name, "network_seed": net.seed, "gain": net.gain.to_dict()},
            )
        )
    return out


def compute_lyapunov_spectrum(network, **kwargs) -> LyapunovSpectrum:
    """First k Lyapunov exponents of one network (see :func:`compute_lyapunov_spectra`).

    >>> from neurochaos.model import build_network
    >>> r = compute_lyapunov_spectrum(build_network("chaotic_rate", N=40, g=3.0, seed=0), k=5, T=20.0)
    >>> r.spectrum.shape, r.settings["jacobian"]
    ((5,), 'analytic')
    """
    return compute_lyapunov_spectra([network], **kwargs)[0]


def compute_model_lyapunov(
    model: str, *, N: int | None = None, g: float | None = None, P: int | None = None, seed: int = 0, **kwargs
) -> LyapunovSpectrum:
    """Build a network from a model card (weights from ``seed``) and compute its spectrum.

    ``kwargs`` go to :func:`compute_lyapunov_spectra` (x0 and tangents use ``seed + 1``).
    """
    from ..errors import ModelError
    from ..model import load_card

    card = load_card(model)
    if card.kind != "rate":
        raise ModelError(
            f"`model` must be a rate model card for Lyapunov exponents, got kind {card.kind!r} ({card.name})"
        )
    net = build_network(card, N=N, g=g, P=P, seed=seed)
    return compute_lyapunov_spectra([net], seed=seed + 1, **kwargs)[0]
