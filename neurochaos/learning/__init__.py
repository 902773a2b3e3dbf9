"""Learning in chaotic rate networks: contrastive Hebbian training of a generative network.

Fournier & Urbani 2024 (arXiv:2405.10822): a rate network with frozen random
couplings J of gain g (chaotic) and learned symmetric couplings A generates
data through its internal deterministic chaos. Public API::

    from neurochaos.learning import load_train_config, train, load_trained, generate, stream, largest_lyapunov
"""

from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .config import DataConfig, ModelConfig, TrainConfig, TrainingConfig, load_train_config
from .hebbian import (
    ARCHITECTURES,
    contrastive_update,
    coupling_mask,
    frozen_mask,
    layer_sizes,
    layer_slices,
    phase_statistics,
)
from .network import GenerativeNetwork, build_generative_network
from .phases import PhaseRunner
from .sampling import generate, largest_lyapunov, readout, stream
from .trainer import TrainResult, check_training_data, evaluate_network, load_trained, train

__all__ = [
    "ARCHITECTURES",
    "Checkpoint",
    "DataConfig",
    "GenerativeNetwork",
    "ModelConfig",
    "PhaseRunner",
    "TrainConfig",
    "TrainResult",
    "TrainingConfig",
    "build_generative_network",
    "check_training_data",
    "contrastive_update",
    "coupling_mask",
    "evaluate_network",
    "frozen_mask",
    "generate",
    "largest_lyapunov",
    "layer_sizes",
    "layer_slices",
    "load_checkpoint",
    "load_train_config",
    "load_trained",
    "phase_statistics",
    "readout",
    "save_checkpoint",
    "stream",
    "train",
]
