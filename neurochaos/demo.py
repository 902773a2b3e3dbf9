"""The README's main job (for now): the chaotic network below and above g = 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .io import save_json, save_npz
from .plotting import plot_traces
from .simulate import simulate

__all__ = ["chaos_demo"]


def chaos_demo(out: str | Path, *, N: int = 500, gains=(0.5, 1.5, 4.0), T: float = 100.0, seed: int = 0,
               backend: str = "torch", progress: bool = True) -> Path:
    """Simulate ``chaotic_rate`` at several gains; write traces, a figure and a summary.

    Writes ``traces_g<g>.npz``, ``traces.png`` and ``summary.json`` (per gain:
    the temporal variance of x over the second half of the run, averaged over
    units — near 0 below the transition, O(1) above it).

    Returns the output folder.
    """
    out = Path(out)
    traces, summary = [], {"model": "chaotic_rate", "N": N, "T": T, "seed": seed, "backend": backend, "gains": {}}
    for g in gains:
        tr = simulate("chaotic_rate", N=N, g=g, T=T, seed=seed, backend=backend, progress=progress)
        late = tr.x[len(tr.t) // 2 :, 0, :]
        summary["gains"][f"{g:g}"] = {
            "temporal_variance": float(late.var(axis=0).mean()),
            "final_abs_x_mean": float(np.abs(tr.x_final).mean()),
        }
        save_npz(out / f"traces_g{g:g}.npz", t=tr.t, x=tr.x)
        traces.append(tr)
    plot_traces(traces, out / "traces.png", labels=[f"g = {g:g}" for g in gains],
                title=f"chaotic_rate, N = {N}: decay for g < 1, chaos for g > 1")
    save_json(out / "summary.json", summary)
    return out
