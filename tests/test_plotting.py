"""neurochaos.plotting: every plot_* returns a Figure, path= writes it, the backend is never switched."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure

import neurochaos.plotting as nplt
from neurochaos.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"
RNG = np.random.default_rng(0)
SHAPE = (4, 4)


def _trace(M=2, N=6, n=30):
    t = np.arange(n) * 0.1
    return SimpleNamespace(t=t, x=RNG.normal(size=(n, M, N)))


class _Spikes:
    N, duration_ms = 20, 100.0

    def __init__(self):
        self.i = RNG.integers(0, self.N, 300)
        self.t = np.sort(RNG.uniform(0, self.duration_ms, 300))

    def chain(self, m=0):
        return self.i, self.t


def _gain_result(n=40, M=1, P=3):
    t = np.arange(n) * 0.5
    m = np.tanh(RNG.normal(size=(n, M, P)))
    summary = {
        "settings": {"model": "mixed_rate", "N": 40, "P": P, "cycle": {"low": 1.0, "high": 8.0, "period": 4.0}},
        "memories_per_cycle": 1.5,
        "switches_per_tau": 0.05,
    }
    return SimpleNamespace(
        run=SimpleNamespace(t=t, gains=np.where(t % 4 < 2, 1.0, 8.0)),
        overlaps=m,
        orthogonal=RNG.uniform(size=(n, M)),
        labels=RNG.integers(-1, P, size=(n, M)),
        summary=summary,
    )


def _images(n):
    return np.sign(RNG.normal(size=(n, SHAPE[0] * SHAPE[1])))


def _history():
    return [{"step": s, "E2": 1.0 / (s + 1), "Es": 0.5, "ER": -0.1, "EAAI": 0.2} for s in (0, 2, 4)]


_AC = SimpleNamespace(s=np.linspace(0, 5, 20), delta=np.exp(-np.linspace(0, 5, 20)))
_SPEC = SimpleNamespace(spectrum=np.sort(RNG.normal(size=10))[::-1], kaplan_yorke_dim=3.2)
_RUNNING = SimpleNamespace(trace_t=np.arange(5.0), trace=RNG.normal(size=(5, 1)))


def _sweep_summary():
    from neurochaos.sweep import summarise

    rows = [{"key": f"{g}{n}{r}", "g": g, "N": n, "replicate": r, "lam": g * r - n / 100, "error": None}
            for g in (0.5, 1.0, 2.0) for n in (100, 200) for r in range(3)]  # fmt: skip
    return summarise(rows, "lam", "g", "N", axes=["g", "N", "replicate"])


#: one call per public plot_* function (path is passed through)
CASES = {
    "plot_traces": lambda p: nplt.plot_traces([_trace(), _trace()], p, units=3, labels=["a", "b"], title="t"),
    "plot_raster": lambda p: nplt.plot_raster(_Spikes(), p, neurons=10, title="raster"),
    "plot_gain_cycle": lambda p: nplt.plot_gain_cycle(_gain_result(), p),
    "plot_sensitivity": lambda p: nplt.plot_sensitivity(_trace(), p, title="s"),
    "plot_state_space": lambda p: nplt.plot_state_space(_trace(), p, until=2.0, title="3d"),
    "plot_lambda_vs_g": lambda p: nplt.plot_lambda_vs_g([0.5, 1.0, 2.0], {"N = 20": RNG.normal(size=(3, 2))}, p),
    "plot_autocorrelation": lambda p: nplt.plot_autocorrelation({"g = 2": _AC}, {"g = 2": _AC}, p, title="ac"),
    "plot_lyapunov_spectra": lambda p: nplt.plot_lyapunov_spectra({10: _SPEC, 20: _SPEC}, p, title="spec"),
    "plot_running_lambda": lambda p: nplt.plot_running_lambda(
        {"qr": _RUNNING, "two": SimpleNamespace(trace_t=np.arange(5.0), trace=np.ones(5))}, p, title="x"
    ),
    "plot_samples_vs_data": lambda p: nplt.plot_samples_vs_data(_images(8), {"model": _images(8)}, SHAPE, p, "s"),
    "plot_image_rows": lambda p: nplt.plot_image_rows(
        {"g = 2": _images(3), "g = 8": _images(3)}, SHAPE, p, n=3, col_titles=["0", "1", "2"], title="rows"
    ),
    "plot_receptive_fields": lambda p: nplt.plot_receptive_fields(RNG.normal(size=(9, 16)), 2.0, SHAPE, p, "rf"),
    "plot_readout_times": lambda p: nplt.plot_readout_times(
        _images(6).reshape(2, 3, -1), [10.0, 20.0], _history()[:2], SHAPE, p, "times", n=3
    ),
    "plot_training_age": lambda p: nplt.plot_training_age(
        {"restricted2": _history()}, {"restricted2": ([0, 2, 4], [0.1, 0.05, -0.01])}, p, "age"
    ),
    "plot_generation_summary": lambda p: nplt.plot_generation_summary(
        _images(8), _images(8), _history(), 0.1, SHAPE, p
    ),
    "plot_decorrelation": lambda p: nplt.plot_decorrelation({"g = 4": (_AC.s, _AC.delta)}, p, title="acf"),
    "plot_chaos_vs_age": lambda p: nplt.plot_chaos_vs_age(
        {
            "a": [
                {"step": s, "lambda_max": 0.1 - 0.01 * s, "saturated": 0.05 * s, "jacobian_radius": 1.2}
                for s in range(5)
            ]
        },
        p,
        title="chaos",
    ),
    "plot_class_coverage": lambda p: nplt.plot_class_coverage({"stream": [0.1] * 10, "random": [0.05, 0.15] * 5}, p),
    "plot_self_consuming": lambda p: nplt.plot_self_consuming(
        {
            name: {
                lam: [{"generation": i, "EAAI": 0.1 * i * f, "AA_syn": 0.5 + 0.05 * i} for i in range(5)]
                for lam in ("1", "0.5", "0")
            }
            for name, f in (("chaotic", 1.0), ("agm", 0.5))
        },
        p,
        title="retraining",
    ),  # fmt: skip
    "plot_sweep": lambda p: nplt.plot_sweep(_sweep_summary(), p),
    "plot_sweep_scatter": lambda p: nplt.plot_sweep_scatter(
        [{"EAAI": 0.01 * (i + 1), "chaotic": i / 5, "c": i % 2, "g": 1.5 + i} for i in range(5)] + [{"error": "x"}],
        "chaotic",
        "EAAI",
        p,
        colour="c",
        marker="g",
        logy=True,
        annotate="g",
    ),  # fmt: skip
}


def test_every_public_plot_function_has_a_case():
    public = {name for name in nplt.__all__ if name.startswith("plot_")}
    assert public == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_returns_a_figure_and_path_writes_a_png(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = CASES[name](None)
    assert isinstance(fig, Figure) and fig.axes
    assert not list(tmp_path.iterdir())  # no path: nothing written
    out = tmp_path / "sub" / f"{name}.png"
    fig = CASES[name](out)
    assert isinstance(fig, Figure)
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 1000
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind


def test_sweep_scatter_leaves_out_failed_rows_and_names_a_missing_column():
    rows = [{"EAAI": 0.02, "chaotic": 0.5}, {"EAAI": float("nan"), "chaotic": 0.1}, {"error": "boom"}]
    fig = nplt.plot_sweep_scatter(rows, "chaotic", "EAAI")
    assert "1 points (2 without both left out)" in fig.axes[0].get_title()
    assert len(fig.axes[0].collections) == 1 and len(fig.axes[0].collections[0].get_offsets()) == 1
    with pytest.raises(ConfigError, match="`colour` must be a column of the rows .*got 'clamp'"):
        nplt.plot_sweep_scatter(rows, "chaotic", "EAAI", colour="clamp")


def test_gain_cycle_time_axes_line_up_beside_the_colour_bar():
    fig = nplt.plot_gain_cycle(_gain_result())
    fig.canvas.draw()
    spans = {(round(ax.get_position().x0, 4), round(ax.get_position().x1, 4)) for ax in fig.axes[:4]}
    assert len(spans) == 1, spans
    (bar,) = fig.axes[1].child_axes  # the colour bar: an inset of the heat map
    assert bar.get_ylabel() == "m_mu" and bar.get_position().x0 >= fig.axes[1].get_position().x1


def test_demo_titles_fit_inside_the_figure_and_describe():
    fig = nplt.plot_generation_summary(_images(8), _images(8), _history(), 0.1, SHAPE)
    fig.canvas.draw()
    width = fig.bbox.width
    for ax in fig.axes:
        box = ax.title.get_window_extent()
        assert 0 <= box.x0 and box.x1 <= width, (ax.get_title(), box, width)
    assert "chaos" not in fig.axes[1].get_title()  # says what is drawn, not a conclusion


def test_raster_says_how_many_neurons_it_shows():
    assert nplt.plot_raster(_Spikes(), neurons=10).axes[0].get_ylabel() == "neuron (first 10 of 20)"
    assert nplt.plot_raster(_Spikes(), neurons=500).axes[0].get_ylabel() == "neuron (all 20)"


def test_new_figure_and_save_figure(tmp_path):
    fig, axes = nplt.new_figure(2, 2, figsize=(4, 3), sharex=True)
    assert isinstance(fig, Figure) and axes.shape == (2, 2)
    assert tuple(fig.get_size_inches()) == (4.0, 3.0)
    fig, ax = nplt.new_figure()
    ax.plot([0, 1], [0, 1])
    assert nplt.save_figure(fig, tmp_path / "a.svg").read_text().lstrip().startswith("<?xml")
    assert nplt.save_figure(fig, tmp_path / "noext").read_bytes()[:8] == PNG  # no suffix: png
    bare, none = nplt.new_figure(0, figsize=(3, 2))
    assert isinstance(bare, Figure) and none is None and not bare.axes


def test_tile_images_shape_and_gaps():
    mosaic = nplt.tile_images(np.ones((3, 6)), (2, 3), cols=2)
    assert mosaic.shape == (2 * 3 - 1, 2 * 4 - 1)
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[:, 3]).all()
    assert np.isnan(mosaic[3:, 4:]).all()  # the fourth cell is empty


def test_import_and_plot_leave_the_backend_and_pyplot_alone(tmp_path):
    code = f"""
import sys, matplotlib
before = matplotlib.get_backend()
import neurochaos.plotting as p
from types import SimpleNamespace
import numpy as np
tr = SimpleNamespace(t=np.arange(5.0), x=np.zeros((5, 2, 3)))
p.plot_traces(tr, {str(tmp_path / "t.png")!r})
p.plot_state_space(tr)
print(before, matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules)
"""
    for backend in ("svg", "pdf"):
        env = {**os.environ, "MPLBACKEND": backend, "OMP_NUM_THREADS": "1"}
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
        assert res.returncode == 0, res.stderr
        before, after, pyplot = res.stdout.split()
        assert before.lower() == after.lower() == backend
        assert pyplot == "False"
    assert (tmp_path / "t.png").read_bytes()[:8] == PNG


def test_in_process_backend_is_unchanged(tmp_path):
    import matplotlib

    before = matplotlib.get_backend()
    CASES["plot_traces"](tmp_path / "t.png")
    CASES["plot_gain_cycle"](None)
    assert matplotlib.get_backend() == before


_USE = re.compile(r"matplotlib\s*\.\s*use\s*\(")
_PYPLOT = re.compile(r"^\s*(import\s+matplotlib\.pyplot|from\s+matplotlib\s+import\s+pyplot)", re.M)


def test_no_backend_switch_or_pyplot_in_the_package_or_experiments():
    files = [f for d in ("neurochaos", "experiments") for f in sorted((ROOT / d).rglob("*.py"))]
    assert len(files) > 20
    switching = [str(f.relative_to(ROOT)) for f in files if _USE.search(f.read_text())]
    assert switching == []
    pyplot = [str(f.relative_to(ROOT)) for f in files if _PYPLOT.search(f.read_text())]
    assert pyplot == []


def test_a_returned_figure_displays_as_png_in_an_ipython_shell():
    """Figures never touch pyplot, so new_figure registers IPython's PNG formatter itself."""
    import base64

    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    from neurochaos.plotting import new_figure

    shell = InteractiveShell.instance()
    try:
        fig, ax = new_figure(1, 1, figsize=(2, 2))
        ax.plot([0, 1], [0, 1])
        data, _ = shell.display_formatter.format(fig)
        png = data["image/png"]  # base64 text in recent IPython, bytes in older ones
        png = base64.b64decode(png) if isinstance(png, str) else png
        assert png[:4] == b"\x89PNG"
    finally:
        InteractiveShell.clear_instance()
