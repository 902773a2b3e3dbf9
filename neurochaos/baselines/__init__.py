"""Baselines compared with the chaotic generative model on the same data and indices.

Public API::

    from neurochaos.baselines import RBM, train_rbm, Kaleidoscope, KaleidoscopeConfig, train_kaleidoscope
    from neurochaos.baselines import AGM, AGMConfig, train_agm  # phase-space stochastic bridges
"""

from .agm import AGM, AGMConfig, train_agm
from .kaleidoscope import Kaleidoscope, KaleidoscopeConfig, chain_diversity, train_kaleidoscope
from .rbm import RBM, train_rbm

__all__ = [
    "RBM",
    "train_rbm",
    "Kaleidoscope",
    "KaleidoscopeConfig",
    "train_kaleidoscope",
    "chain_diversity",
    "AGM",
    "AGMConfig",
    "train_agm",
]
