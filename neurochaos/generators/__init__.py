"""Generators driven by chaotic reservoirs (Chaudhuri & Handebagh 2024, architecture 1).

Public API::

    from neurochaos.generators import (sparse_projection, build_reservoir, latent_bank, stream_latents,
                                       GANConfig, train_gan, generate_images)
    from neurochaos.generators import Generator, build_generator, load_generator  # the common interface
    from neurochaos.generators import self_consuming, run_comparison  # retraining on own samples; the comparison

(``make_generator`` is the GAN's generator network; ``build_generator`` builds a
comparison generator of :mod:`neurochaos.generators.interface` by name.)
"""

from .comparison import read_comparison, run_comparison
from .gan import GANConfig, TrainedGAN, generate_images, make_discriminator, make_generator, train_gan
from .interface import GENERATORS, Cost, Generator, build_generator, load_generator
from .reservoir import build_reservoir, latent_bank, sparse_projection, stream_latents
from .retraining import mix_generation, self_consuming

__all__ = [
    "sparse_projection",
    "build_reservoir",
    "latent_bank",
    "stream_latents",
    "GANConfig",
    "TrainedGAN",
    "make_generator",
    "make_discriminator",
    "train_gan",
    "generate_images",
    "Generator",
    "Cost",
    "GENERATORS",
    "build_generator",
    "load_generator",
    "self_consuming",
    "mix_generation",
    "read_comparison",
    "run_comparison",
]
