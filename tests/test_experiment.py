"""The experiment skeleton (neurochaos.experiment) and that every experiment uses it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from neurochaos.errors import ConfigError
from neurochaos.experiment import ANY_KEYS, read_config, results_folder

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def test_read_config_names_unknown_and_missing_sections_and_keys(tmp_path):
    p = tmp_path / "c.toml"
    sections = {"experiment": {"out"}, "run": {"N", "T"}, "free": ANY_KEYS}
    p.write_text('[experiment]\nout = "x"\n[run]\nN = 1\nT = 2\n[free]\nanything = 3\n')
    assert read_config(p, sections, complete=False)["free"] == {"anything": 3}
    p.write_text("[run]\nN = 1\ncolour = 2\n")
    with pytest.raises(ConfigError, match=r"^`run` keys must be among \['N', 'T'\], got unknown \['colour'\]"):
        read_config(p, sections)
    p.write_text("[runs]\nN = 1\n")
    with pytest.raises(ConfigError, match=r"^`sections` must be among .*, got unknown \['runs'\]"):
        read_config(p, sections)
    p.write_text('[experiment]\nout = "x"\n[run]\nN = 1\n[free]\n')
    with pytest.raises(ConfigError, match=r"^`run` keys must include \['T'\]"):
        read_config(p, sections, complete=True)
    p.write_text("[run\n")
    with pytest.raises(ConfigError, match=r"^`config` must be valid TOML"):
        read_config(p, sections)


def test_one_results_folder_rule(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert results_folder(None, "out/a", "out/default") == Path("out/a")
    assert results_folder(tmp_path / "b", "out/a", "out/default") == tmp_path / "b"
    assert results_folder(None, None, "out/default") == Path("out/default")
    assert (tmp_path / "out" / "a" / "results").is_dir() and (tmp_path / "b" / "results").is_dir()


@pytest.mark.parametrize("run", sorted(EXPERIMENTS.glob("*/run.py")), ids=lambda p: p.parent.name)
def test_every_experiment_uses_the_skeleton(run):
    text = run.read_text()
    assert "sys.path" not in text and "tomllib" not in text, run
    assert "experiment_cli(" in text and "read_config(" in text and "results_folder(" in text, run
    assert (run.parent / "config.toml").exists() or (run.parent / "scaled.toml").exists(), run


@pytest.mark.standalone
def test_spiking_chaos_runs_from_a_config(tmp_path, has_compiler):
    spec = importlib.util.spec_from_file_location("exp_spiking_chaos", EXPERIMENTS / "spiking_chaos" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cfg = tmp_path / "tiny.toml"
    cfg.write_text('[experiment]\nout = "unused"\n[run]\nN = 100\nT_ms = 700.0\ngains = [1.0]\nseed = 0\n')
    path = mod.main(cfg, tmp_path / "out")
    res = json.loads(Path(path).read_text())
    assert res["N"] == 100 and [r["g"] for r in res["rows"]] == [1.0]
    assert (tmp_path / "out" / "raster_g1.png").stat().st_size > 1000
    assert json.loads((tmp_path / "out" / "results" / "run.json").read_text())["config"]["run"]["N"] == 100


def test_experiment_cli_parses_config_out_and_options_and_reports_user_errors(tmp_path, capsys):
    from neurochaos.experiment import experiment_cli

    seen = {}

    def main(config, out, progress=True, steps=None):
        seen.update(config=config, out=out, progress=progress, steps=steps)
        return read_config(config, {"experiment": {"out"}})

    default = tmp_path / "config.toml"
    default.write_text('[experiment]\nout = "o"\n')
    opts = [("--steps", {"type": int, "default": None})]
    assert experiment_cli(main, "Doc line.\n", default, ["--no-progress", "--steps", "3"], options=opts) == 0
    assert seen == {"config": default, "out": None, "progress": False, "steps": 3}
    (tmp_path / "other.toml").write_text('[experiment]\nout = "p"\n')
    assert experiment_cli(main, "Doc.", default, ["other.toml", "--out", "X"], options=opts) == 0  # a bare name
    assert seen["config"] == tmp_path / "other.toml" and seen["out"] == "X"
    capsys.readouterr()
    assert experiment_cli(main, "Doc.", default, [str(tmp_path / "missing.toml")], options=opts) == 2
    assert "error: `config` must be an existing TOML file" in capsys.readouterr().err
