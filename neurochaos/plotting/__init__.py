"""Figures: every ``plot_*`` function returns a :class:`matplotlib.figure.Figure`; ``path=`` also saves it.

Figures are made by :func:`new_figure` as plain ``Figure`` objects (object-oriented
matplotlib, no pyplot state): the backend is never switched, so the same calls work
headless (scripts, CI) and inline in a notebook. Files are written atomically by
:func:`save_figure`. See ``docs/plotting.md`` for what each function draws.

Public API::

    from neurochaos.plotting import new_figure, save_figure, plot_traces, plot_gain_cycle, plot_raster
"""

from .chaos import (
    plot_autocorrelation,
    plot_lambda_vs_g,
    plot_lyapunov_spectra,
    plot_running_lambda,
    plot_sensitivity,
    plot_state_space,
)
from .figure import new_figure
from .gain import plot_gain_cycle
from .generation import (
    plot_chaos_vs_age,
    plot_class_coverage,
    plot_decorrelation,
    plot_generation_summary,
    plot_readout_times,
    plot_self_consuming,
    plot_training_age,
)
from .images import plot_image_rows, plot_receptive_fields, plot_samples_vs_data, tile_images
from .save import save_figure
from .spikes import plot_raster
from .sweep import plot_sweep, plot_sweep_scatter
from .traces import plot_traces

__all__ = [
    "new_figure",
    "plot_chaos_vs_age",
    "plot_class_coverage",
    "plot_autocorrelation",
    "plot_decorrelation",
    "plot_gain_cycle",
    "plot_generation_summary",
    "plot_image_rows",
    "plot_lambda_vs_g",
    "plot_lyapunov_spectra",
    "plot_raster",
    "plot_readout_times",
    "plot_receptive_fields",
    "plot_running_lambda",
    "plot_samples_vs_data",
    "plot_self_consuming",
    "plot_sensitivity",
    "plot_state_space",
    "plot_sweep",
    "plot_sweep_scatter",
    "plot_traces",
    "plot_training_age",
    "save_figure",
    "tile_images",
]
