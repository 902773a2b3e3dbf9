"""Restricted Boltzmann machine with +-1 units trained by persistent contrastive divergence.

The noise-driven baseline of ``specs/baselines.md``: the same visible and hidden
sizes as the chaotic model, Gibbs sampling instead of deterministic chaos.

Energy and conditionals (v in {-1, 1}^{N_v}, h in {-1, 1}^{N_h})::

    E(v, h) = - v^T W h - b . v - c . h
    P(h_a = +1 | v) = sigmoid(2 (c_a + (v W)_a)),   E[h_a | v] = tanh(c_a + (v W)_a)
    P(v_i = +1 | h) = sigmoid(2 (b_i + (W h)_i))

One PCD step (Tieleman 2008): advance the M persistent chains by ``k`` Gibbs
sweeps, then ascend the log-likelihood gradient
``dW = lr (<v E[h|v]>_batch - <v E[h|v]>_chains)``, likewise for b and c.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from ..errors import ConfigError, DataError, DivergenceError
from ..io import save_npz
from ..loading import load_npz
from ..model.network import seed_streams
from ..validation import check_choice, check_device, check_float, check_int, fail

__all__ = ["RBM", "train_rbm"]


def _device(device: str):
    return check_device(device)


def _torch_generator(rng: np.random.Generator, dev):
    import torch

    return torch.Generator(device=dev).manual_seed(int(rng.integers(2**62)))


def _spin(u, gen):
    """+-1 samples with P(+1) = sigmoid(2 u), u a tensor of local fields."""
    import torch

    p = torch.sigmoid(2.0 * u)
    return torch.where(torch.rand(u.shape, generator=gen, device=u.device, dtype=u.dtype) < p, 1.0, -1.0).to(u.dtype)


@dataclass(frozen=True, eq=False)
class RBM:
    """A +-1 RBM (see the module docstring for the energy).

    Attributes
    ----------
    W : ndarray, shape (N_v, N_h)
        Visible-hidden couplings.
    visible_bias : ndarray, shape (N_v,)
        b.
    hidden_bias : ndarray, shape (N_h,)
        c.
    steps : int
        PCD updates applied so far.
    """

    W: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray
    steps: int = 0

    def __post_init__(self):
        W = np.asarray(self.W, dtype=np.float64)
        if W.ndim != 2 or min(W.shape) < 1:
            fail("W", "a 2-D array (N_v, N_h)", f"shape {W.shape}")
        b = np.asarray(self.visible_bias, dtype=np.float64)
        c = np.asarray(self.hidden_bias, dtype=np.float64)
        if b.shape != (W.shape[0],):
            fail("visible_bias", f"of shape ({W.shape[0]},)", f"shape {b.shape}")
        if c.shape != (W.shape[1],):
            fail("hidden_bias", f"of shape ({W.shape[1]},)", f"shape {c.shape}")
        for name, arr in (("W", W), ("visible_bias", b), ("hidden_bias", c)):
            if not np.all(np.isfinite(arr)):
                fail(name, "finite (no NaN or inf)", "non-finite entries")
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "visible_bias", b)
        object.__setattr__(self, "hidden_bias", c)
        object.__setattr__(self, "steps", check_int(self.steps, "steps", min_value=0))

    @property
    def n_visible(self) -> int:
        return self.W.shape[0]

    @property
    def n_hidden(self) -> int:
        return self.W.shape[1]

    def free_energy(self, v) -> np.ndarray:
        """F(v) = -b.v - sum_a log(2 cosh(c_a + (v W)_a)), so that P(v) ~ exp(-F(v)).

        Parameters
        ----------
        v : array_like, shape (n, N_v), +-1

        Returns
        -------
        ndarray, shape (n,)

        >>> rbm = RBM(np.zeros((2, 1)), np.array([1.0, 0.0]), np.zeros(1))
        >>> rbm.free_energy([[1, 1], [-1, 1]]).round(4)
        array([-1.6931,  0.3069])
        """
        v = np.asarray(v, dtype=np.float64)
        u = v @ self.W + self.hidden_bias
        return -(v @ self.visible_bias) - np.sum(np.logaddexp(u, -u), axis=1)

    def sample(
        self,
        n: int,
        *,
        sweeps: int = 1000,
        seed: int = 0,
        device: str = "cpu",
        dtype: str = "float32",
        progress: bool = False,
    ) -> np.ndarray:
        """Draw ``n`` samples by ``sweeps`` Gibbs sweeps (h | v, then v | h) from uniform random states.

        Parameters
        ----------
        n : int
            Number of independent chains (= samples).
        sweeps : int
            Gibbs sweeps per chain.
        seed : int
            Seed of the initial states and of the Gibbs noise.
        device, dtype : str
            torch device and "float32" / "float64".

        Returns
        -------
        ndarray, shape (n, N_v), float64 entries in {-1, +1}

        >>> rbm = RBM(np.zeros((3, 2)), np.array([20.0, -20.0, 0.0]), np.zeros(2))
        >>> s = rbm.sample(4, sweeps=2)
        >>> s.shape, s[:, 0].tolist(), s[:, 1].tolist()
        ((4, 3), [1.0, 1.0, 1.0, 1.0], [-1.0, -1.0, -1.0, -1.0])
        """
        import torch

        n = check_int(n, "n", min_value=1)
        sweeps = check_int(sweeps, "sweeps", min_value=0)
        dev = _device(device)
        tdtype = getattr(torch, check_choice(dtype, "dtype", ("float32", "float64")))
        (rng,) = seed_streams(seed, 1)
        gen = _torch_generator(rng, dev)
        W = torch.as_tensor(self.W, dtype=tdtype, device=dev)
        b = torch.as_tensor(self.visible_bias, dtype=tdtype, device=dev)
        c = torch.as_tensor(self.hidden_bias, dtype=tdtype, device=dev)
        v = _spin(torch.zeros((n, self.n_visible), dtype=tdtype, device=dev), gen)
        with torch.no_grad():
            for _ in tqdm(range(sweeps), desc="Gibbs sweeps", disable=not progress, leave=False):
                h = _spin(v @ W + c, gen)
                v = _spin(h @ W.T + b, gen)
        return v.cpu().numpy().astype(np.float64)

    def save(self, path) -> None:
        """Write W, biases and steps to an ``.npz`` (atomically)."""
        save_npz(path, W=self.W, visible_bias=self.visible_bias, hidden_bias=self.hidden_bias, steps=self.steps)

    @classmethod
    def load(cls, path) -> RBM:
        """Read an RBM written by :meth:`save`."""
        f = load_npz(path, "rbm", required=("W", "visible_bias", "hidden_bias", "steps"))
        return cls(f["W"], f["visible_bias"], f["hidden_bias"], int(f["steps"]))


def train_rbm(
    x_train,
    n_hidden: int,
    *,
    lr: float = 0.01,
    chains: int = 500,
    k: int = 1,
    steps: int = 1000,
    epochs: int | None = None,
    batch_size: int = 500,
    init_std: float = 0.01,
    seed: int = 0,
    device: str = "cpu",
    dtype: str = "float32",
    progress: bool = True,
    callback: Callable[[int, RBM], None] | None = None,
    callback_every: int = 100,
) -> RBM:
    """Train a +-1 RBM with persistent contrastive divergence.

    Parameters
    ----------
    x_train : array_like, shape (n, N_v)
        Training data with entries exactly +-1 (``load_dataset(..., encoding="pm1")``).
    n_hidden : int
        N_h.
    lr : float
        Learning rate (spec: 0.01).
    chains : int
        M persistent chains (spec: 500), started uniformly at random.
    k : int
        Gibbs sweeps of the chains per update.
    steps : int
        Parameter updates; ignored when ``epochs`` is given.
    epochs : int, optional
        Passes over the data; ``steps = epochs * ceil(n / batch_size)``.
    batch_size : int
        Data points per update (shuffled without replacement each epoch).
    init_std : float
        Standard deviation of the initial W; b starts at atanh of the data
        means (clipped to +-(1 - 1e-3)), c at 0.
    seed : int
        Seed of the initial W, the minibatches, the chains and the Gibbs noise.
    device, dtype : str
        torch device ("cpu", "cuda") and "float32" / "float64".
    progress : bool
        Show a tqdm bar.
    callback : callable, optional
        ``callback(step, rbm)`` every ``callback_every`` updates and after the last.

    Returns
    -------
    RBM

    Examples
    --------
    >>> x = np.where(np.random.default_rng(0).random((40, 6)) > 0.5, 1.0, -1.0)
    >>> rbm = train_rbm(x, 3, steps=5, chains=10, batch_size=20, progress=False)
    >>> rbm.W.shape, rbm.steps
    ((6, 3), 5)
    """
    import torch

    x = np.asarray(x_train, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise DataError(f"`x_train` must be a non-empty 2-D array (n, N_v), got shape {x.shape}")
    if not np.all(np.abs(x) == 1):
        bad = int(np.count_nonzero(np.abs(x) != 1))
        raise DataError(f"`x_train` must hold +-1 entries only (load with encoding='pm1'), got {bad} other values")
    n_hidden = check_int(n_hidden, "n_hidden", min_value=1)
    lr = check_float(lr, "lr", low=0, low_open=True)
    chains = check_int(chains, "chains", min_value=1)
    k = check_int(k, "k", min_value=1)
    batch_size = check_int(batch_size, "batch_size", min_value=1)
    if batch_size > x.shape[0]:
        raise ConfigError(f"`batch_size` must be <= the {x.shape[0]} training points, got {batch_size}")
    per_epoch = math.ceil(x.shape[0] / batch_size)
    if epochs is not None:
        steps = check_int(epochs, "epochs", min_value=0) * per_epoch
    steps = check_int(steps, "steps", min_value=0)
    init_std = check_float(init_std, "init_std", low=0)
    callback_every = check_int(callback_every, "callback_every", min_value=1)
    dev = _device(device)
    tdtype = getattr(torch, check_choice(dtype, "dtype", ("float32", "float64")))

    rng_init, rng_batch, rng_gibbs = seed_streams(seed, 3)
    n_v = x.shape[1]
    m = np.clip(x.mean(0), -1 + 1e-3, 1 - 1e-3)
    W = torch.as_tensor(rng_init.normal(0.0, init_std, (n_v, n_hidden)), dtype=tdtype, device=dev)
    b = torch.as_tensor(np.arctanh(m), dtype=tdtype, device=dev)
    c = torch.zeros(n_hidden, dtype=tdtype, device=dev)
    data = torch.as_tensor(x, dtype=tdtype, device=dev)
    gen = _torch_generator(rng_gibbs, dev)
    v = _spin(torch.zeros((chains, n_v), dtype=tdtype, device=dev), gen)

    def snapshot(step: int) -> RBM:
        return RBM(W.double().cpu().numpy(), b.double().cpu().numpy(), c.double().cpu().numpy(), step)

    order = np.empty(0, dtype=np.int64)
    with torch.no_grad():
        for step in tqdm(range(1, steps + 1), desc="RBM PCD", disable=not progress):
            if order.size == 0:
                order = rng_batch.permutation(x.shape[0])
            idx, order = order[:batch_size], order[batch_size:]
            batch = data[torch.as_tensor(idx, device=dev)]
            for _ in range(k):
                v = _spin(_spin(v @ W + c, gen) @ W.T + b, gen)
            h_data = torch.tanh(batch @ W + c)
            h_model = torch.tanh(v @ W + c)
            W += lr * (batch.T @ h_data / batch.shape[0] - v.T @ h_model / chains)
            b += lr * (batch.mean(0) - v.mean(0))
            c += lr * (h_data.mean(0) - h_model.mean(0))
            if callback is not None and (step % callback_every == 0 or step == steps):
                callback(step, snapshot(step))
    if not bool(torch.isfinite(W).all()):
        raise DivergenceError(f"RBM weights became non-finite during training (lr={lr}, {steps} steps)")
    return snapshot(steps)
