"""What a package carries beside its code: version, licence, citation."""

from __future__ import annotations

import configparser
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
