"""Chaos analysis: Lyapunov spectra, dynamical mean-field theory, trajectory statistics.

Public API::

    from neurochaos.analysis import compute_lyapunov_spectrum, compute_lambda_max, solve_dmft
"""

from .dmft import DMFTSolution, check_dmft_model, solve_dmft
from .jacobian import DriftForm, detect_drift_form, step_jacobian
from .lyapunov import (
    LyapunovSpectrum,
    compute_lyapunov_spectra,
    compute_lyapunov_spectrum,
    compute_model_lyapunov,
    entropy_rate,
    kaplan_yorke_dimension,
)
from .separation import MaxLyapunov, compute_lambda_max
from .stats import Autocorrelation, estimate_autocorrelation, measure_autocorrelation, participation_ratio

__all__ = [
    "DMFTSolution",
    "check_dmft_model",
    "solve_dmft",
    "DriftForm",
    "detect_drift_form",
    "step_jacobian",
    "LyapunovSpectrum",
    "MaxLyapunov",
    "compute_lambda_max",
    "compute_lyapunov_spectra",
    "compute_lyapunov_spectrum",
    "compute_model_lyapunov",
    "entropy_rate",
    "kaplan_yorke_dimension",
    "Autocorrelation",
    "estimate_autocorrelation",
    "measure_autocorrelation",
    "participation_ratio",
]
