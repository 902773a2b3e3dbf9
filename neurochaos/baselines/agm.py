"""Phase-space stochastic bridges: the acceleration generative model (Chen et al. 2024, arXiv:2310.07805).

A baseline generator. The state is the phase-space point m = (x, v) per pixel; t runs from
0 (prior) to 1 (data). Given an endpoint x1, the optimal-control bridge is the linear SDE

    dx = v dt,    dv = a*(x, v, t; x1) dt + g_t dW,    g_t = p (1 - t),
    a* = (4 / (1 - t)) ((x1 - x) / (1 - t) - v),

from the prior (x0, v0) ~ N(0, Sigma0) (per pixel; variances ``var_x0``, ``var_v0`` and
correlation ``corr0``). Because it is linear, ``p(m_t | x1)`` is Gaussian in closed form
(:func:`conditional_moments`), and a network F(x, v, t) is trained without simulation to
regress a* at samples of ``p(m_t | x1)`` (loss weight sqrt(1 / (1 - t)), t ~ U[t_min, t_max]);
the learned drift ``E[a* | m_t]`` then carries the prior to the data distribution.

The closed form (derived here, not read from the public code): with a = 1 - t, b = 1 - s,
the homogeneous system x'' = -4 x / a^2 - 4 x' / a (x measured from x1) has solutions
x = c1 a + c2 a^4, so the transition from time s to time t is

    Phi(t, s) = [[(4 a / b - a^4 / b^4) / 3,   (a - a^4 / b^3) / 3],
                 [(-4 / b + 4 a^3 / b^4) / 3,  (-1 + 4 a^3 / b^3) / 3]]

acting on (x - x1, v), and the noise added between s and t has covariance
p^2 / 9 times (with L = ln(b / a), c = b^3 - a^3, r = 1 - a^3 / b^3)

    Qxx = a^2 c / 3 - 2 a^5 L + a^5 r / 3,
    Qxv = -a c / 3 + 5 a^4 L - 4 a^4 r / 3,
    Qvv = c / 3 - 8 a^3 L + 16 a^3 r / 3.

``tests/test_agm.py`` checks these moments against a Monte-Carlo simulation of the SDE.

**Network and parameterisation** (stated, since the paper has no MNIST network): a residual
MLP on [x, v, Fourier features of t and log(1 - t)] (``blocks`` residual blocks of width
``width``, SiLU), predicting the normalised acceleration F / n(t), where n(t) is the standard
deviation of a* given x1 (the public code's label normalisation, in spirit). Because a* is
affine in x1, the network's acceleration also gives the "sampling hop" estimate
x1_hat = x + a v + a^2 F / 4 and the score needed by the probability-flow ODE, so one network
serves every sampler. AdamW with linear warm-up and cosine decay; samples use an EMA copy of
the weights.

**Samplers** (``SAMPLERS``), each from t = 0 to ``t_stop`` on a uniform grid, then a hop to
x1_hat: ``evaluations`` network evaluations per sample in all (``evaluations - 1`` steps and
the hop):

- ``"sde"``: Euler-Maruyama on dx = v dt, dv = F dt + g_t dW;
- ``"sde_exact"``: each step draws from the exact bridge transition to the next time with
  x1 held at the network's current x1_hat (an exponential integrator; the default);
- ``"ode"``: Euler on the probability-flow ODE dv = (F + g_t^2 eps_v / (2 L_vv)) dt;
- ``"ddim"``: the deterministic flow m_t = mu_t(x1) + L_t eps, stepped exactly with
  x1_hat and eps_hat held (a DDIM-type sampler; L_t the Cholesky factor of Sigma_t).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..validation import (
    Interval,
    NonEmptyString,
    Validated,
    check_choice,
    check_float,
    check_images,
    check_int,
    fail,
)
from .model_file import load_model_npz, save_model_npz

__all__ = [
    "AGMConfig",
    "AGM",
    "train_agm",
    "transition",
    "noise_covariance",
    "conditional_moments",
    "SAMPLERS",
]

#: Sampling methods (see the module docstring).
SAMPLERS = ("sde_exact", "sde", "ode", "ddim")


@dataclass(frozen=True)
class AGMConfig(Validated):
    """The bridge, the network and its training.

    Attributes
    ----------
    p : diffusion scale, g_t = p (1 - t) (the paper: 3)
    var_x0, var_v0, corr0 : prior variances of x0 and v0 and their correlation (1, 1, -0.2)
    width, blocks : residual MLP width and number of residual blocks
    time_features : Fourier features of t (sin and cos pairs)
    lr : AdamW peak learning rate (1e-3, as the public code)
    weight_decay : AdamW weight decay
    batch_size : images per step (capped at the data size)
    iterations : training steps
    warmup : linear warm-up steps of the learning rate, then cosine decay to 0
    ema : decay of the exponential moving average of the weights used for sampling (warmed up as
        min(ema, (1 + step) / (10 + step)))
    t_min, t_max : training times t ~ U[t_min, t_max]
    seed : seed of the weights, minibatches, times and noises
    device : torch device
    """

    p: float = 3.0
    var_x0: float = 1.0
    var_v0: float = 1.0
    corr0: float = -0.2
    width: int = 512
    blocks: int = 3
    time_features: int = 16
    lr: float = 1e-3
    weight_decay: float = 0.0
    batch_size: int = 256
    iterations: int = 4000
    warmup: int = 200
    ema: float = 0.999
    t_min: float = 1e-5
    t_max: float = 0.999
    seed: int = 0
    device: str = "cpu"

    _constraints = {
        "p": Interval(float, 0.0),
        "var_x0": Interval(float, 0.0, closed="right"),
        "var_v0": Interval(float, 0.0, closed="right"),
        "corr0": Interval(float, -1.0, 1.0, closed="neither"),
        "width": Interval(int, 1),
        "blocks": Interval(int, 0),
        "time_features": Interval(int, 1),
        "lr": Interval(float, 0.0, closed="right"),
        "weight_decay": Interval(float, 0.0),
        "batch_size": Interval(int, 1),
        "iterations": Interval(int, 1),
        "warmup": Interval(int, 0),
        "ema": Interval(float, 0.0, 1.0, closed="left"),
        "t_min": Interval(float, 0.0, 1.0, closed="left"),
        "t_max": Interval(float, 0.0, 1.0, closed="neither"),
        "seed": Interval(int, 0),
        "device": NonEmptyString(),
    }

    def __post_init__(self):
        super().__post_init__()
        if self.t_min >= self.t_max:
            fail("t_max", f"greater than t_min = {self.t_min}", self.t_max)

    def prior_covariance(self) -> np.ndarray:
        """Sigma0 (2, 2) of (x0, v0) per pixel."""
        c = self.corr0 * np.sqrt(self.var_x0 * self.var_v0)
        return np.array([[self.var_x0, c], [c, self.var_v0]])


# ---------------------------------------------------------------- closed form (numpy, float64)


def _times(t, s):
    t = np.asarray(t, dtype=np.float64)
    s = np.broadcast_to(np.asarray(s, dtype=np.float64), t.shape)
    if np.any(s > t) or np.any(t >= 1) or np.any(s < 0):
        fail("t", "times with 0 <= s <= t < 1", f"s in [{s.min():g}, {s.max():g}], t in [{t.min():g}, {t.max():g}]")
    return 1.0 - t, 1.0 - s


def transition(t, s=0.0) -> np.ndarray:
    """Phi(t, s), shape t.shape + (2, 2): the mean map of (x - x1, v) from time s to time t (s <= t < 1).

    >>> np.allclose(transition(0.4, 0.4), np.eye(2))
    True
    """
    a, b = _times(t, s)
    phi = np.empty(a.shape + (2, 2))
    phi[..., 0, 0] = (4 * a / b - a**4 / b**4) / 3
    phi[..., 0, 1] = (a - a**4 / b**3) / 3
    phi[..., 1, 0] = (-4 / b + 4 * a**3 / b**4) / 3
    phi[..., 1, 1] = (-1 + 4 * a**3 / b**3) / 3
    return phi


def noise_covariance(t, s=0.0, p: float = 3.0) -> np.ndarray:
    """Q(t, s), shape t.shape + (2, 2): the covariance the noise g dW adds to (x, v) between s and t."""
    a, b = _times(t, s)
    L = np.log(b / a)
    c = b**3 - a**3
    r = 1 - a**3 / b**3
    q = np.empty(a.shape + (2, 2))
    q[..., 0, 0] = a**2 * c / 3 - 2 * a**5 * L + a**5 * r / 3
    q[..., 0, 1] = q[..., 1, 0] = -a * c / 3 + 5 * a**4 * L - 4 * a**4 * r / 3
    q[..., 1, 1] = c / 3 - 8 * a**3 * L + 16 * a**3 * r / 3
    return q * (p**2 / 9)


def conditional_moments(t, config: AGMConfig = AGMConfig()):
    """The law of (x_t, v_t) given x1, per pixel: mean = coef * x1, covariance Sigma_t.

    Returns
    -------
    coef : ndarray t.shape + (2,): (mu_x, mu_v) = coef * x1 (the prior mean is zero)
    cov : ndarray t.shape + (2, 2): Sigma_t = Phi Sigma0 Phi^T + Q(t, 0), the same for every x1
    """
    phi = transition(t, 0.0)
    coef = np.stack([1 - phi[..., 0, 0], -phi[..., 1, 0]], axis=-1)
    S0 = config.prior_covariance()
    cov = phi @ S0 @ np.swapaxes(phi, -1, -2) + noise_covariance(t, 0.0, config.p)
    return coef, cov


def _cholesky(cov):
    """Lxx, Lxv, Lvv of 2x2 covariances (..., 2, 2)."""
    Lxx = np.sqrt(cov[..., 0, 0])
    Lxv = cov[..., 0, 1] / Lxx
    Lvv = np.sqrt(np.maximum(cov[..., 1, 1] - Lxv**2, 0.0))
    return Lxx, Lxv, Lvv


def _label_scale(t, config):
    """n(t): the standard deviation of a* given x1 (the random part, from the bridge's spread)."""
    _, cov = conditional_moments(t, config)
    Lxx, Lxv, Lvv = _cholesky(cov)
    a = 1.0 - np.asarray(t, dtype=np.float64)
    return (4 / a) * np.sqrt((Lxx / a + Lxv) ** 2 + Lvv**2)


# ---------------------------------------------------------------- network


def _features(t, n_freq):
    """Time features (B, 2 n_freq + 1): sin/cos of geometric frequencies and log(1 - t) / 5."""
    import torch

    freqs = np.pi * np.geomspace(1.0, 64.0, n_freq)
    w = torch.as_tensor(freqs, dtype=t.dtype, device=t.device)
    arg = t[:, None] * w[None, :]
    return torch.cat([torch.sin(arg), torch.cos(arg), torch.log1p(-t)[:, None] / 5], dim=1)


def _network(D, config):
    import torch

    class ResMLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            w = config.width
            self.inp = torch.nn.Linear(2 * D + 2 * config.time_features + 1, w)
            self.blocks = torch.nn.ModuleList(
                torch.nn.Sequential(torch.nn.SiLU(), torch.nn.Linear(w, w), torch.nn.SiLU(), torch.nn.Linear(w, w))
                for _ in range(config.blocks)
            )
            self.out = torch.nn.Sequential(torch.nn.SiLU(), torch.nn.Linear(w, D))

        def forward(self, x, v, t):
            h = self.inp(torch.cat([x, v, _features(t, config.time_features)], dim=1))
            for blk in self.blocks:
                h = h + blk(h)
            return self.out(h)

    return ResMLP()


@dataclass(eq=False)
class AGM:
    """A trained acceleration generative model: the EMA weights (numpy float32) and how they were trained.

    Attributes
    ----------
    state : dict name -> ndarray, the network's EMA state dict
    n_visible : pixels D
    config : the AGMConfig it was trained with
    loss : training loss every 10 steps
    seconds : training wall time
    """

    state: dict
    n_visible: int
    config: AGMConfig
    loss: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_parameters(self) -> int:
        return int(sum(v.size for v in self.state.values()))

    def _module(self, device):
        import torch

        net = _network(self.n_visible, self.config).to(device)
        net.load_state_dict({k: torch.as_tensor(v) for k, v in self.state.items()})
        return net.eval()

    def sample(
        self,
        n: int,
        *,
        evaluations: int = 20,
        sampler: str = "sde_exact",
        t_stop: float = 0.99,
        seed: int = 0,
        device: str = "cpu",
        batch_size: int = 1000,
    ) -> np.ndarray:
        """``n`` samples x1_hat, shape (n, D) float64 clipped to [-1, 1].

        Parameters
        ----------
        n : number of samples
        evaluations : network evaluations per sample (>= 1): ``evaluations - 1`` steps from t = 0
            to ``t_stop``, then the hop to x1_hat
        sampler : one of :data:`SAMPLERS`
        t_stop : the time of the hop, in (0, 1)
        seed : seed of the prior draws and the noise
        batch_size : chains integrated at once (memory only; samples do not depend on it)
        """
        import torch

        n = check_int(n, "n", min_value=1)
        evaluations = check_int(evaluations, "evaluations", min_value=1)
        check_choice(sampler, "sampler", SAMPLERS)
        t_stop = check_float(t_stop, "t_stop", low=0.0, high=1.0, low_open=True, high_open=True)
        seed = check_int(seed, "seed", min_value=0)
        batch_size = check_int(batch_size, "batch_size", min_value=1)
        cfg, D = self.config, self.n_visible
        net = self._module(device)
        grid = np.linspace(0.0, t_stop, evaluations) if evaluations > 1 else np.array([0.0])
        plan = _SamplerPlan(grid, cfg)
        gen = torch.Generator().manual_seed(seed)
        # all random numbers are drawn up front, per chain, so samples do not depend on batch_size
        L0 = np.linalg.cholesky(cfg.prior_covariance())
        eps0 = torch.randn((n, 2, D), generator=gen, dtype=torch.float64)
        noise = torch.randn((len(grid) - 1, n, 2, D), generator=gen, dtype=torch.float64)
        out = np.empty((n, D))
        with torch.no_grad():
            for lo in range(0, n, batch_size):
                sl = slice(lo, min(n, lo + batch_size))
                x = L0[0, 0] * eps0[sl, 0]
                v = L0[1, 0] * eps0[sl, 0] + L0[1, 1] * eps0[sl, 1]
                for k in range(len(grid)):
                    x1 = plan.x1_hat(net, x, v, k, device)
                    if k == len(grid) - 1:
                        break
                    x, v = plan.step(sampler, x, v, x1, k, noise[k, sl])
                out[sl] = x1.numpy()
        return np.clip(out, -1.0, 1.0)

    def save(self, path) -> Path:
        """Write the weights, config and loss to one ``.npz`` (atomically)."""
        arrays = {f"w:{k}": v for k, v in self.state.items()} | {"n_visible": np.array(self.n_visible)}
        return save_model_npz(path, self.config, self.loss, self.seconds, arrays)

    @classmethod
    def load(cls, path) -> AGM:
        config, arrays, loss, seconds = load_model_npz(path, AGMConfig)
        state = {k[2:]: v for k, v in arrays.items() if k.startswith("w:")}
        return cls(state, int(arrays["n_visible"]), config, loss, seconds)


class _SamplerPlan:
    """The per-time coefficients of one sampling grid (float64, computed once)."""

    def __init__(self, grid, cfg):
        self.grid, self.cfg = grid, cfg
        self.a = 1.0 - grid
        self.n = _label_scale(grid, cfg)
        self.coef, cov = conditional_moments(grid, cfg)
        self.Lxx, self.Lxv, self.Lvv = _cholesky(cov)
        self.g = cfg.p * self.a
        if len(grid) > 1:
            t1, t0 = grid[1:], grid[:-1]
            self.phi = transition(t1, t0)
            q = noise_covariance(t1, t0, cfg.p)
            qxx = np.maximum(q[:, 0, 0], 0.0)
            self.Qxx = np.sqrt(qxx)
            self.Qxv = np.where(qxx > 0, q[:, 0, 1] / np.where(qxx > 0, self.Qxx, 1.0), 0.0)
            self.Qvv = np.sqrt(np.maximum(q[:, 1, 1] - self.Qxv**2, 0.0))

    def x1_hat(self, net, x, v, k, device):
        import torch

        t = torch.full((x.shape[0],), float(self.grid[k]), dtype=torch.float32, device=device)
        F = net(x.float().to(device), v.float().to(device), t).double().cpu() * self.n[k]
        a = self.a[k]
        return x + a * v + a * a * F / 4

    def _eps(self, x, v, x1, k):
        ex = (x - self.coef[k, 0] * x1) / self.Lxx[k]
        ev = (v - self.coef[k, 1] * x1 - self.Lxv[k] * ex) / (float(self.Lvv[k]) if self.Lvv[k] > 0 else 1.0)
        return ex, ev

    def step(self, sampler, x, v, x1, k, xi):
        h = self.grid[k + 1] - self.grid[k]
        a = self.a[k]
        if sampler in ("sde", "ode"):
            F = 4 * (x1 - x) / a**2 - 4 * v / a
            if sampler == "sde":
                return x + h * v, v + h * F + self.g[k] * np.sqrt(h) * xi[:, 1]
            _, ev = self._eps(x, v, x1, k)
            return x + h * v, v + h * (F + 0.5 * self.g[k] ** 2 * ev / self.Lvv[k])
        if sampler == "sde_exact":
            P = self.phi[k]
            dx = x - x1
            xn = x1 + P[0, 0] * dx + P[0, 1] * v + self.Qxx[k] * xi[:, 0]
            vn = P[1, 0] * dx + P[1, 1] * v + self.Qxv[k] * xi[:, 0] + self.Qvv[k] * xi[:, 1]
            return xn, vn
        ex, ev = self._eps(x, v, x1, k)  # ddim
        j = k + 1
        xn = self.coef[j, 0] * x1 + self.Lxx[j] * ex
        vn = self.coef[j, 1] * x1 + self.Lxv[j] * ex + self.Lvv[j] * ev
        return xn, vn


def bridge_batch(x1, t, config: AGMConfig, gen):
    """Draws of (x_t, v_t) | x1 and the normalised label a* / n(t) (torch float32, shapes of x1).

    ``x1`` (B, D) float32 tensor, ``t`` (B,) float64 numpy array, ``gen`` a torch.Generator.
    """
    import torch

    coef, cov = conditional_moments(t, config)
    Lxx, Lxv, Lvv = _cholesky(cov)
    a = 1.0 - t
    n = (4 / a) * np.sqrt((Lxx / a + Lxv) ** 2 + Lvv**2)

    def col(arr):
        return torch.as_tensor(arr, dtype=torch.float32, device=x1.device)[:, None]

    eps = torch.randn((2,) + tuple(x1.shape), generator=gen).to(x1.device)
    x = col(coef[:, 0]) * x1 + col(Lxx) * eps[0]
    v = col(coef[:, 1]) * x1 + col(Lxv) * eps[0] + col(Lvv) * eps[1]
    label = (col(4 * a**2) * x1 - col(4 / a) * ((col(Lxx / a) + col(Lxv)) * eps[0] + col(Lvv) * eps[1])) / col(n)
    return x, v, label


def train_agm(x_train, config: AGMConfig = AGMConfig(), *, progress: bool = False, init_state=None) -> AGM:
    """Fit the drift network on ``x_train`` (n, D) in [-1, 1] without simulating the SDE.

    Each step draws a minibatch x1, times t ~ U[t_min, t_max] and ``(x_t, v_t) ~ p(. | x1)``
    from the closed form, and minimises ``mean_t sqrt(1 / (1 - t)) |F_theta(x_t, v_t, t) - a* / n(t)|^2``.
    ``init_state`` (an :attr:`AGM.state` of the same sizes) starts the weights and their EMA
    there instead of at random (a warm start).
    """
    import torch

    x = check_images(x_train)
    if not isinstance(config, AGMConfig):
        fail("config", "an AGMConfig", type(config).__name__)
    torch.manual_seed(config.seed)
    dev = torch.device(config.device)
    net = _network(x.shape[1], config).to(dev)
    if init_state is not None:
        try:
            net.load_state_dict({k: torch.as_tensor(v) for k, v in init_state.items()})
        except RuntimeError as exc:
            fail("init_state", "the weights of an AGM with the same width, blocks and pixels", str(exc)[:200])
    ema = {k: v.detach().clone() for k, v in net.state_dict().items()}
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)

    def lr_at(step):
        if step < config.warmup:
            return (step + 1) / config.warmup
        rest = max(1, config.iterations - config.warmup)
        return 0.5 * (1 + np.cos(np.pi * (step - config.warmup) / rest))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    X = torch.as_tensor(x, dtype=torch.float32, device=dev)
    rng = np.random.default_rng(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    B = min(config.batch_size, len(x))
    losses, t0 = [], time.perf_counter()
    for step in tqdm(range(config.iterations), desc="agm", disable=not progress, mininterval=0.5):
        x1 = X[torch.as_tensor(rng.choice(len(x), size=B, replace=False), device=dev)]
        t = rng.uniform(config.t_min, config.t_max, size=B)
        xt, vt, label = bridge_batch(x1, t, config, gen)
        tt = torch.as_tensor(t, dtype=torch.float32, device=dev)
        w = torch.as_tensor(np.sqrt(1.0 / (1.0 - t)), dtype=torch.float32, device=dev)
        loss = torch.mean(w[:, None] * (net(xt, vt, tt) - label) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        decay = min(config.ema, (1 + step) / (10 + step))  # short runs do not remember the initial weights
        with torch.no_grad():
            for k, v in net.state_dict().items():
                ema[k].mul_(decay).add_(v.detach(), alpha=1 - decay)
        if step % 10 == 0 or step == config.iterations - 1:
            losses.append(float(loss.detach()))
    state = {k: v.cpu().numpy().astype(np.float32).copy() for k, v in ema.items()}
    return AGM(state, int(x.shape[1]), config, losses, time.perf_counter() - t0)
