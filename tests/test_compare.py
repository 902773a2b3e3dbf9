"""The generator comparison (`neurochaos compare`) and self-consuming retraining."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from neurochaos.cli import main
from neurochaos.errors import ConfigError, DataError
from neurochaos.generators import mix_generation, read_comparison, run_comparison, self_consuming

SMOKE = Path(__file__).resolve().parents[1] / "experiments" / "compare_generators" / "smoke.toml"


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "out"
    assert main(["compare", str(SMOKE), "--out", str(out), "--no-progress"]) == 0
    return out


def test_the_table_has_every_generator_and_both_reference_rows(smoke_run):
    res = json.loads((smoke_run / "results" / "comparison.json").read_text())
    rows = res["rows"]
    assert set(rows) == {
        "held-out data (floor)", "uniform noise (ceiling)", "chaotic_r2", "rbm", "kaleidoscope", "agm", "reservoir_gan",
    }  # fmt: skip
    for name, r in rows.items():
        for k in ("E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn", "AA_syn_train"):
            assert np.isfinite(r[k]), (name, k)
        if r["kind"] != "reference":
            assert r["samples_per_s"] > 0 and r["evaluations_per_sample"] > 0 and r["fit_seconds"] > 0
            assert r["parameters"] > 0
    assert rows["held-out data (floor)"]["EAAI"] < rows["uniform noise (ceiling)"]["EAAI"]
    d = rows["kaleidoscope"]["diagnostics"]
    assert 0 <= d["stuck_fraction"] <= 1 and 0 < d["distinct_fraction"] <= 1
    assert rows["agm"]["diagnostics"] == {}
    md = (smoke_run / "comparison.md").read_text()
    assert "| agm | agm |" in md and "| uniform noise (ceiling) | reference |" in md
    for f in ("samples.png", "self_consuming.png", "results/run.json", "samples/agm.npz"):
        assert (smoke_run / f).is_file(), f


def test_self_consuming_curves_have_every_generation_and_lambda(smoke_run):
    curves = json.loads((smoke_run / "results" / "self_consuming.json").read_text())
    assert set(curves) == {"rbm", "agm"}
    for per in curves.values():
        assert set(per) == {"1", "0.5", "0"}
        for lam, rows in per.items():
            assert [r["generation"] for r in rows] == [0, 1, 2]
            assert rows[1]["n_real"] == int(round(float(lam) * 300))
            assert rows[1]["refit"] == (lam != "1")
    # the warm-started AGM generations are fits of their own (10 iterations from the previous weights)
    fits = [json.loads(p.read_text()) for p in (smoke_run / "fits").glob("agm-*/fit.json")]
    assert len(fits) == 5 and sorted(f["settings"]["iterations"] for f in fits) == [10, 10, 10, 10, 40]
    for per in curves.values():
        # generation 0 is shared by every lambda
        assert len({json.dumps(rows[0]["EAAI"]) for rows in per.values()}) == 1


def test_a_rerun_reuses_the_fitted_generators(smoke_run, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(smoke_run, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("generator.json")}
    assert len(before) >= 5
    assert main(["compare", str(SMOKE), "--out", str(out), "--no-progress"]) == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("generator.json")} == before  # nothing refitted
    a = json.loads((smoke_run / "results" / "comparison.json").read_text())["rows"]
    b = json.loads((out / "results" / "comparison.json").read_text())["rows"]
    assert {k: r["EAAI"] for k, r in a.items()} == {k: r["EAAI"] for k, r in b.items()}


def test_mix_generation_takes_the_real_fraction():
    rng = np.random.default_rng(0)
    real, fake = np.ones((10, 3)), -np.ones((20, 3))
    for lam, n_real in ((1.0, 10), (0.5, 5), (0.0, 0), (0.26, 3)):
        mixed = mix_generation(real, fake, lam, rng)
        assert mixed.shape == (10, 3) and int((mixed[:, 0] > 0).sum()) == n_real
    with pytest.raises(ConfigError, match=r"`lam` must be in \[0.0, 1.0\], got 1.5"):
        mix_generation(real, fake, 1.5, rng)
    with pytest.raises(ConfigError, match=r"`samples` must be at least 10 rows, got 3"):
        mix_generation(real, fake[:3], 0.0, rng)


def test_self_consuming_bad_input(tmp_path):
    x = np.ones((4, 4))
    with pytest.raises(ConfigError, match=r"`lam` must be in \[0.0, 1.0\], got -0.1"):
        self_consuming("rbm", {}, x, lambda s: {}, tmp_path, lam=-0.1)
    with pytest.raises(ConfigError, match=r"`generations` must be an integer >= 1, got 0"):
        self_consuming("rbm", {}, x, lambda s: {}, tmp_path, generations=0)
    with pytest.raises(ConfigError, match=r"`x_train` must be a non-empty"):
        self_consuming("rbm", {}, np.zeros((0, 4)), lambda s: {}, tmp_path)
    with pytest.raises(ConfigError, match=r"`x_train` must be finite"):
        self_consuming("rbm", {}, np.full((3, 4), np.nan), lambda s: {}, tmp_path)


def _config(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text('[data]\nname = "digits"\n' + text)
    return p


@pytest.mark.parametrize(
    "text, message",
    [
        ("[generators.a]\nkind = 'vae'\n", r"`generator` must be one of \['agm', 'chaotic'"),
        ("[generators.a]\nwidth = 3\n", r"`generators.a` must be a table with `kind`"),
        ("[generators.a]\nkind = 'agm'\nevaluations = 0\n", r"`evaluations` must be an integer >= 1, got 0"),
        ("[generators.a]\nkind = 'agm'\n[self_consuming]\nfractions = [0.5, 2.0]\n",
         r"`self_consuming.fractions` must be in \[0.0, 1.0\], got 2.0"),
        ("[generators.a]\nkind = 'agm'\n[self_consuming]\ngenerators = ['b']\n",
         r"`self_consuming.generators` must be a non-empty list of names among \['a'\]"),
        ("[generators.a]\nkind = 'agm'\n[evaluation]\nn_samples = 0\n", r"`evaluation.n_samples` must be an integer >= 2"),
        ("[generators.a]\nkind = 'rbm'\ncolour = 1\n", r"`rbm settings` must be keyword settings"),
        ("[generators.a]\nkind = 'rbm'\n[self_consuming.warm.a]\nsteps = 3\n",
         r"`self_consuming.warm.a` must be absent: 'rbm' fits from scratch only"),
        ("[generators.a]\nkind = 'agm'\n[self_consuming.warm.b]\niterations = 3\n",
         r"`self_consuming.warm` must be tables named after retrained generators \['a'\]"),
        ("[generators.a]\nkind = 'agm'\n[self_consuming.warm.a]\niterations = 0\n",
         r"`iterations` must be an integer >= 1, got 0"),
    ],
)  # fmt: skip
def test_bad_configs_are_refused_before_any_fit(tmp_path, text, message):
    p = _config(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        read_comparison(p)


def test_the_cli_gives_exit_2_and_one_line_for_a_bad_config(tmp_path, capsys):
    p = _config(tmp_path, "[generators.a]\nkind = 'agm'\nlr = -1\n")
    assert main(["compare", str(p), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "`lr` must be" in err[0]


def test_a_checked_config_without_generators_is_refused(tmp_path):
    cfg = read_comparison(SMOKE)
    with pytest.raises(ConfigError, match=r"`generators` must be at least one"):
        run_comparison({**cfg, "generators": {}}, tmp_path)


def test_a_generator_for_another_pixel_count_is_refused(tmp_path):
    from neurochaos.data import load_dataset
    from neurochaos.generators import build_generator

    x = load_dataset("digits", n_train=50).x_train
    g = build_generator(
        "chaotic", model={"card": "fu_restricted2", "n_visible": 784, "n_hidden": 8}, training={"steps": 2}
    )
    with pytest.raises(DataError, match=r"`x_train` must have 784 columns .* got 64"):
        g.fit(x)
