"""What a model *is*: cards, connectivity, gain schedules, networks.

Nothing here imports an executor.
"""

from .card import ModelCard, Pathway, list_cards, load_card, models_dir
from .connectivity import gaussian_coupling, hopfield_coupling, random_patterns, spectral_radius
from .network import RateNetwork, build_network, initial_state, seed_streams
from .schedule import ConstantGain, GainSchedule, PiecewiseLinearGain, SineGain, SquareGain, as_schedule
from .spiking import SpikingNetwork, build_spiking_network, initial_potentials

__all__ = [
    "ModelCard",
    "Pathway",
    "list_cards",
    "load_card",
    "models_dir",
    "gaussian_coupling",
    "hopfield_coupling",
    "random_patterns",
    "spectral_radius",
    "RateNetwork",
    "build_network",
    "initial_state",
    "seed_streams",
    "SpikingNetwork",
    "build_spiking_network",
    "initial_potentials",
    "ConstantGain",
    "GainSchedule",
    "PiecewiseLinearGain",
    "SineGain",
    "SquareGain",
    "as_schedule",
]
