"""What a package carries beside its code: version, licence, citation."""

from __future__ import annotations

import configparser
import json
import os
from pathlib import Path

import pytest

import neurochaos
from neurochaos.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_version_flag_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"neurochaos {neurochaos.__version__}"


def test_the_licence_file_matches_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["metadata"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert cfg["metadata"]["version"] == neurochaos.__version__


def test_citation_file_is_valid_cff():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["version"] == neurochaos.__version__ and cff["license"] == "MIT"
    assert all(ref["title"] and ref["authors"] for ref in cff["references"])


_FROM_WHEEL = """
import json, sys
import neurochaos
from neurochaos.model import list_cards
from neurochaos.simulate import simulate
rate = simulate("chaotic_rate", N=30, T=2.0)
spikes = simulate("chaotic_lif", N=60, T=1.0, record_every=20)
print(json.dumps({"file": neurochaos.__file__, "cards": list_cards(), "rate": list(rate.x.shape),
                  "rate_executor": rate.meta["executor"], "spiking_executor": spikes.meta["executor"]}))
"""


def test_a_built_wheel_carries_every_card_and_runs_outside_the_source_tree(tmp_path):
    """The wheel (not an editable install) ships the cards; rate and spiking cards simulate from it."""
    import shutil
    import subprocess
    import sys
    import zipfile

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.cfg", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "neurochaos", src / "neurochaos", ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), "."],
        cwd=src, capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("neurochaos-*.whl")
    cards = sorted(p.stem for p in (ROOT / "models").glob("*.toml"))
    with zipfile.ZipFile(wheel) as z:
        shipped = sorted(
            Path(n).stem for n in z.namelist() if n.startswith("neurochaos/cards/") and n.endswith(".toml")
        )
        assert shipped == cards and len(cards) >= 10
        z.extractall(tmp_path / "site")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "NEUROCHAOS_MODELS"}
    env["PYTHONPATH"] = str(tmp_path / "site")  # before site-packages' editable finder
    run = subprocess.run([sys.executable, "-c", _FROM_WHEEL], cwd=outside, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["file"].startswith(str(tmp_path / "site"))
    assert out["cards"] == cards and out["rate"] == [20, 1, 30]
    assert (out["rate_executor"], out["spiking_executor"]) == ("numpy", "brian2-runtime")
