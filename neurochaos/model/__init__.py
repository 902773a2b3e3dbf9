"""What a model *is*: cards, connectivity, gain schedules, networks.

Nothing here imports an executor.
"""

from .card import ModelCard, Pathway, list_cards, load_card, models_dir
from .connectivity import gaussian_coupling, hopfield_coupling, random_patterns, spectral_radius
from .network import RateNetwork, build_network, initial_state, seed_streams
from .schedule import ConstantGain, GainSchedule, PiecewiseLinearGain, SineGain, SquareGain, as_schedule

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
    "ConstantGain",
    "GainSchedule",
    "PiecewiseLinearGain",
    "SineGain",
    "SquareGain",
    "as_schedule",
]
