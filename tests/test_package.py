"""What a package carries beside its code: version, licence, citation."""

from __future__ import annotations

import configparser
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


def test_a_built_wheel_in_a_fresh_venv_lists_every_card_and_simulates_outside_the_source_tree(tmp_path):
    """Wheel (not an editable install) -> fresh venv -> the ``neurochaos`` command, run from elsewhere.

    The fresh venv gets only the wheel; its dependencies (brian2, torch, ...) are found through a
    ``.pth`` line naming this environment's site-packages, so nothing is downloaded. A ``.pth``
    path line adds the folder without running the ``.pth`` files inside it, so the editable
    install of the source tree stays out of the fresh venv.
    """
    import shutil
    import site
    import subprocess
    import sys
    import sysconfig
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

    venv = tmp_path / "fresh"
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-2000:]
    py = venv / "bin" / "python"
    fresh_site = Path(
        subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       capture_output=True, text=True, check=True).stdout.strip()
    )  # fmt: skip
    deps = [p for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]] if Path(p).is_dir()]
    lines = list(dict.fromkeys(deps))
    for d in dict.fromkeys(deps):  # their .pth files too (setuptools' distutils shim), not the editable install
        for pth in sorted(Path(d).glob("*.pth")):
            if pth.name.startswith("__editable__") or "neurochaos" in pth.name:
                continue
            for line in pth.read_text().splitlines():
                if line.strip() and not line.startswith("#"):
                    lines.append(line if line.startswith(("import ", "import\t")) else str(Path(d) / line))
    (fresh_site / "_neurochaos_test_deps.pth").write_text("\n".join(lines) + "\n")
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert inst.returncode == 0, inst.stderr[-2000:]

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("NEUROCHAOS_MODELS", "PYTHONPATH")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"

    def cli(*args):
        run = subprocess.run([venv / "bin" / "neurochaos", *args], cwd=outside, env=env, capture_output=True, text=True)
        assert run.returncode == 0, (args, run.stderr[-3000:])
        return run.stdout

    where = subprocess.run([py, "-c", "import neurochaos; print(neurochaos.__file__)"], cwd=outside, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert where.startswith(str(fresh_site)), where  # the wheel's copy, not the source tree
    listed = cli("models")
    assert all(name in listed for name in cards), listed
    cli("simulate", "chaotic_rate", "--N", "30", "--T", "2", "--out", "rate.npz", "--no-progress")
    cli("simulate", "chaotic_lif", "--N", "60", "--T", "1", "--out", "spikes.npz", "--no-progress")
    import numpy as np

    with np.load(outside / "rate.npz") as rate:
        assert rate["x"].shape[1:] == (1, 30)
    with np.load(outside / "spikes.npz") as spikes:
        assert "spike_i" in spikes.files
