"""Generative kaleidoscopic networks (Shrivastava 2024, arXiv:2402.11793): a baseline generator.

An MLP ``f: [-1, 1]^D -> [-1, 1]^D`` is trained as the identity on the data (MSE, Adam);
sampling iterates ``z <- clamp(f(z) + eps * noise, -1, 1)`` from uniform noise, and the
iterates after ``burn_in`` rounds are samples. Recipe and the public code's details:
``../shared/specs/baselines.md`` (MNIST: 10 ReLU hidden layers of width 500, tanh output,
Adam 1e-4, batch 1000, 10,000 iterations; 30 sampling rounds, eps = 0.01).

Noise: ``"uniform"`` (zero-mean U(-1, 1), the paper's description; default), ``"gaussian"``
(N(0, 1)), or ``"public"``: the public code's ``(high - low) * rand + high`` = U(1, 3), a
positive drift rather than zero-mean noise, offered to reproduce that code.
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
    check_finite_array,
    check_float,
    check_images,
    check_int,
    fail,
)
from .model_file import load_model_npz, save_model_npz

__all__ = ["KaleidoscopeConfig", "Kaleidoscope", "train_kaleidoscope", "chain_diversity", "NOISES"]

#: Sampling noise forms (see the module docstring).
NOISES = ("uniform", "gaussian", "public")


@dataclass(frozen=True)
class KaleidoscopeConfig(Validated):
    """The MLP and its training (the spec's MNIST recipe by default).

    Attributes
    ----------
    hidden_layers : ReLU hidden layers (the recipe: 10)
    width : units per hidden layer (500)
    lr : Adam learning rate (1e-4)
    batch_size : images per step (1000; capped at the data size)
    iterations : training steps (10,000)
    seed : seed of the initial weights and of the minibatch draws
    device : torch device
    """

    hidden_layers: int = 10
    width: int = 500
    lr: float = 1e-4
    batch_size: int = 1000
    iterations: int = 10_000
    seed: int = 0
    device: str = "cpu"

    _constraints = {
        "hidden_layers": Interval(int, 1),
        "width": Interval(int, 1),
        "lr": Interval(float, 0.0, closed="right"),
        "batch_size": Interval(int, 1),
        "iterations": Interval(int, 1),
        "seed": Interval(int, 0),
        "device": NonEmptyString(),
    }


@dataclass(eq=False)
class Kaleidoscope:
    """A trained kaleidoscopic network: layer weights (numpy, float32) and how it was trained.

    Attributes
    ----------
    weights : list of (W (out, in), b (out,)) per linear layer, input first
    config : the KaleidoscopeConfig it was trained with
    loss : training MSE every 10 steps
    seconds : training wall time
    """

    weights: list
    config: KaleidoscopeConfig
    loss: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_visible(self) -> int:
        return int(self.weights[0][0].shape[1])

    @property
    def n_parameters(self) -> int:
        return int(sum(W.size + b.size for W, b in self.weights))

    def _module(self, device):
        import torch

        net = _mlp(self.n_visible, self.config.hidden_layers, self.config.width).to(device)
        with torch.no_grad():
            for layer, (W, b) in zip([m for m in net if isinstance(m, torch.nn.Linear)], self.weights):
                layer.weight.copy_(torch.as_tensor(W))
                layer.bias.copy_(torch.as_tensor(b))
        return net.eval()

    def sample(
        self,
        n: int,
        *,
        steps: int = 30,
        eps: float = 0.01,
        noise: str = "uniform",
        seed: int = 0,
        device: str = "cpu",
        return_chains: bool = False,
    ):
        """Iterate ``z <- clamp(f(z) + eps * noise, -1, 1)`` ``steps`` times from ``z0 ~ U(-1, 1)``.

        Parameters
        ----------
        n : number of chains (samples)
        steps : rounds of f (network evaluations per sample), >= 1
        eps : noise amplitude, >= 0
        noise : one of :data:`NOISES`
        seed : seed of z0 and of the noise
        return_chains : also return every iterate, shape (steps + 1, n, D)

        Returns
        -------
        ndarray (n, D) float64 in [-1, 1]: the last iterate (and the chains if asked)
        """
        import torch

        n = check_int(n, "n", min_value=1)
        steps = check_int(steps, "steps", min_value=1)
        eps = check_float(eps, "eps", low=0.0)
        if noise not in NOISES:
            fail("noise", f"one of {NOISES}", noise)
        gen = torch.Generator().manual_seed(check_int(seed, "seed", min_value=0))
        net = self._module(device)
        z = torch.rand((n, self.n_visible), generator=gen) * 2 - 1
        chains = [z.numpy().astype(np.float64)] if return_chains else None
        with torch.no_grad():
            for _ in range(steps):
                if noise == "uniform":
                    xi = torch.rand(z.shape, generator=gen) * 2 - 1
                elif noise == "gaussian":
                    xi = torch.randn(z.shape, generator=gen)
                else:  # the public code: (high - low) * rand + high with (low, high) = (-1, 1)
                    xi = 2 * torch.rand(z.shape, generator=gen) + 1
                z = torch.clamp(net(z.to(device)).cpu() + eps * xi, -1.0, 1.0)
                if return_chains:
                    chains.append(z.numpy().astype(np.float64))
        out = z.numpy().astype(np.float64)
        return (out, np.stack(chains)) if return_chains else out

    def save(self, path) -> Path:
        """Write weights, config and loss to one ``.npz`` (atomically)."""
        arrays = {f"W{i}": W for i, (W, _) in enumerate(self.weights)}
        arrays |= {f"b{i}": b for i, (_, b) in enumerate(self.weights)}
        return save_model_npz(path, self.config, self.loss, self.seconds, arrays)

    @classmethod
    def load(cls, path) -> Kaleidoscope:
        config, arrays, loss, seconds = load_model_npz(path, KaleidoscopeConfig)
        weights = [(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(config.hidden_layers + 1)]
        return cls(weights, config, loss, seconds)


def chain_diversity(chains: np.ndarray, eps: float) -> dict:
    """How the sampling chains end: still moving, stuck on a fixed point, all in one place?

    Parameters
    ----------
    chains : ndarray (steps + 1, n, D), from ``sample(..., return_chains=True)``
    eps : the noise amplitude used (a chain whose last step is below 3 eps only jitters)

    Returns
    -------
    dict: ``stuck_fraction`` (chains whose RMS last step < 3 eps), ``distinct_fraction``
    (distinct sign patterns of the final iterates / n), ``median_last_step`` (RMS)

    >>> c = np.zeros((3, 4, 2)); c[:, 1] = [[0, 0], [1, 1], [-1, 1]]
    >>> chain_diversity(c, 0.01)["stuck_fraction"]
    0.75
    """
    c = check_finite_array(chains, "chains", shape=(None, None, None))
    if c.shape[0] < 2:
        fail("chains", "at least two iterates (steps >= 1)", f"array of shape {c.shape}")
    eps = check_float(eps, "eps", low=0.0)
    last = np.sqrt(((c[-1] - c[-2]) ** 2).mean(axis=1))
    signs = np.unique(np.where(c[-1] > 0, 1, -1), axis=0)
    return {
        "stuck_fraction": float(np.mean(last < 3 * eps + 1e-12)),
        "distinct_fraction": float(len(signs) / c.shape[1]),
        "median_last_step": float(np.median(last)),
    }


def _mlp(D: int, hidden_layers: int, width: int):
    import torch

    layers, d_in = [], D
    for _ in range(hidden_layers):
        layers += [torch.nn.Linear(d_in, width), torch.nn.ReLU()]
        d_in = width
    return torch.nn.Sequential(*layers, torch.nn.Linear(d_in, D), torch.nn.Tanh())


def train_kaleidoscope(
    x_train, config: KaleidoscopeConfig = KaleidoscopeConfig(), *, progress: bool = False
) -> Kaleidoscope:
    """Train ``f`` as the identity on ``x_train`` (n, D) in [-1, 1]: MSE(f(X), X), Adam.

    Minibatches of ``batch_size`` rows are drawn without replacement each step from
    ``config.seed``; the loss is recorded every 10 steps.
    """
    import torch

    x = check_images(x_train)
    if not isinstance(config, KaleidoscopeConfig):
        fail("config", "a KaleidoscopeConfig", type(config).__name__)
    torch.manual_seed(config.seed)
    dev = torch.device(config.device)
    net = _mlp(x.shape[1], config.hidden_layers, config.width).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=config.lr)
    X = torch.as_tensor(x, dtype=torch.float32, device=dev)
    rng = np.random.default_rng(config.seed)
    B = min(config.batch_size, len(x))
    losses, t0 = [], time.perf_counter()
    for step in tqdm(range(config.iterations), desc="kaleidoscope", disable=not progress, mininterval=0.5):
        idx = torch.as_tensor(rng.choice(len(x), size=B, replace=False), device=dev)
        batch = X[idx]
        loss = torch.mean((net(batch) - batch) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0 or step == config.iterations - 1:
            losses.append(float(loss.detach()))
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    weights = [(m.weight.detach().cpu().numpy().copy(), m.bias.detach().cpu().numpy().copy()) for m in linears]
    return Kaleidoscope(weights, config, losses, time.perf_counter() - t0)
