"""A small DCGAN (Radford et al. 2016) whose latents may come from a chaotic reservoir.

Images are (1, h, w) with h, w divisible by 4 and values in [-1, 1]. The
generator maps z (k,) -> image through a linear layer to (2 width, h/4, w/4)
and two stride-2 transposed convolutions; the discriminator mirrors it.
Training uses the non-saturating loss with Adam (lr 2e-4, betas (0.5, 0.999)).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from ..validation import Interval, Validated, check_finite_array, check_int, fail

__all__ = ["GANConfig", "make_generator", "make_discriminator", "train_gan", "generate_images"]


@dataclass(frozen=True)
class GANConfig(Validated):
    """GAN size and training settings.

    Attributes
    ----------
    width : channels of the last hidden layer of G (first of D); G's first has 2 width
    epochs : passes over the training images
    batch_size : images per step
    lr : Adam learning rate (both networks)
    seed : seed of the initial weights and of the minibatch / latent draws
    threads : torch intra-op threads during training (0: leave torch's setting)
    """

    width: int = 32
    epochs: int = 5
    batch_size: int = 64
    lr: float = 2e-4
    seed: int = 0
    threads: int = 0

    _constraints = {
        "width": Interval(int, 1),
        "epochs": Interval(int, 1),
        "batch_size": Interval(int, 2),
        "lr": Interval(float, 0.0, closed="right"),
        "seed": Interval(int, 0),
        "threads": Interval(int, 0),
    }


def _check_shape(image_shape):
    h, w = (int(s) for s in image_shape)
    if h % 4 or w % 4 or h < 4 or w < 4:
        fail("image_shape", "(h, w) with h and w multiples of 4", tuple(image_shape))
    return h, w


def make_generator(k: int, image_shape, width: int = 32):
    """Generator: z (B, k) -> images (B, 1, h, w) in (-1, 1)."""
    import torch.nn as nn

    h, w = _check_shape(image_shape)
    k = check_int(k, "k", min_value=1)
    c = 2 * width
    return nn.Sequential(
        nn.Linear(k, c * (h // 4) * (w // 4)),
        nn.BatchNorm1d(c * (h // 4) * (w // 4)),
        nn.ReLU(),
        nn.Unflatten(1, (c, h // 4, w // 4)),
        nn.ConvTranspose2d(c, width, 4, 2, 1),
        nn.BatchNorm2d(width),
        nn.ReLU(),
        nn.ConvTranspose2d(width, 1, 4, 2, 1),
        nn.Tanh(),
    )


def make_discriminator(image_shape, width: int = 32):
    """Discriminator: images (B, 1, h, w) -> logits (B,)."""
    import torch.nn as nn

    h, w = _check_shape(image_shape)
    return nn.Sequential(
        nn.Conv2d(1, width, 4, 2, 1),
        nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 4, 2, 1),
        nn.BatchNorm2d(2 * width),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(2 * width * (h // 4) * (w // 4), 1),
        nn.Flatten(0),
    )


@dataclass
class TrainedGAN:
    """A trained generator with its history. ``history``: per-epoch mean losses and seconds."""

    generator: object
    discriminator: object
    image_shape: tuple
    k: int
    config: GANConfig
    history: list = field(default_factory=list)


def train_gan(images, latents, image_shape, config: GANConfig = GANConfig(), *, progress: bool = False) -> TrainedGAN:
    """Train G and D; each step draws a minibatch of images and of latents from the bank.

    Parameters
    ----------
    images : ndarray, shape (n, h * w), values in [-1, 1]
    latents : ndarray, shape (n_bank, k), the latent bank (e.g. reservoir latents)
    image_shape : (h, w)
    config : GANConfig

    Returns
    -------
    TrainedGAN (generator in eval mode)
    """
    import torch
    import torch.nn.functional as F

    h, w = _check_shape(image_shape)
    x = check_finite_array(images, "images", shape=(None, h * w))
    if x.min() < -1 or x.max() > 1:
        fail("images", "in [-1, 1]", f"values in [{x.min():g}, {x.max():g}]")
    z_bank = check_finite_array(latents, "latents", shape=(None, None))
    k = z_bank.shape[1]
    old_threads = torch.get_num_threads()
    if config.threads:
        torch.set_num_threads(config.threads)
    gen = torch.Generator().manual_seed(config.seed)
    torch.manual_seed(config.seed)  # nn layer initialisation reads the global generator
    G, D = make_generator(k, (h, w), config.width), make_discriminator((h, w), config.width)
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr, betas=(0.5, 0.999))
    X = torch.as_tensor(x, dtype=torch.float32).reshape(-1, 1, h, w)
    Z = torch.as_tensor(z_bank, dtype=torch.float32)
    B = min(config.batch_size, len(X))
    history = []
    epochs = range(config.epochs)
    epochs = tqdm(epochs, desc="GAN epochs", unit="epoch", disable=not progress)
    try:
        for epoch in epochs:
            t0 = time.perf_counter()
            perm = torch.randperm(len(X), generator=gen)
            ld, lg, n = 0.0, 0.0, 0
            for i in range(0, len(X) - B + 1, B):
                real = X[perm[i : i + B]]
                z = Z[torch.randint(len(Z), (B,), generator=gen)]
                fake = G(z)
                ones, zeros = torch.ones(B), torch.zeros(B)
                loss_d = F.binary_cross_entropy_with_logits(D(real), ones) + F.binary_cross_entropy_with_logits(
                    D(fake.detach()), zeros
                )
                opt_d.zero_grad()
                loss_d.backward()
                opt_d.step()
                loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
                opt_g.zero_grad()
                loss_g.backward()
                opt_g.step()
                ld, lg, n = ld + loss_d.item(), lg + loss_g.item(), n + 1
            history.append(
                {"epoch": epoch + 1, "loss_d": ld / n, "loss_g": lg / n, "seconds": time.perf_counter() - t0}
            )
    finally:
        torch.set_num_threads(old_threads)
    G.eval()
    D.eval()
    return TrainedGAN(G, D, (h, w), k, config, history)


def generate_images(trained: TrainedGAN, latents, *, batch: int = 1024) -> np.ndarray:
    """Images for latents of any leading shape.

    Parameters
    ----------
    latents : ndarray, shape (..., k)

    Returns
    -------
    ndarray, shape (..., h * w), float64 in (-1, 1)
    """
    import torch

    z = check_finite_array(latents, "latents")
    if z.shape[-1] != trained.k:
        fail("latents", f"an array of shape (..., {trained.k})", f"array of shape {z.shape}")
    flat = torch.as_tensor(z.reshape(-1, trained.k), dtype=torch.float32)
    out = []
    with torch.no_grad():
        for i in range(0, len(flat), batch):
            out.append(
                trained.generator(flat[i : i + batch]).reshape(-1, trained.image_shape[0] * trained.image_shape[1])
            )
    return torch.cat(out).double().numpy().reshape(*z.shape[:-1], -1)
