"""The bad-input catalogue (issue 13): every CLI command and the public API, given what a hostile user gives.

Each CLI case must exit 2 with one line on stderr naming the parameter (the
expected text), and leave the workspace byte-identical: no file created or
changed. Each API case must raise the named neurochaos error with the
parameter in its message. The counts are printed by
``test_catalogue_counts`` (cases / clear errors / tracebacks / silent wrong).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from neurochaos import errors
from neurochaos.cli import main

# (argv, text the one-line error must contain)
CLI_CASES = [
    ("simulate nosuchcard --out a.npz", "`model` must be one of"),
    ("simulate chaotic_rate --N 0 --out a.npz", "`N` must be an integer >= 1, got 0"),
    ("simulate chaotic_rate --N -5 --out a.npz", "`N` must be an integer >= 1, got -5"),
    ("simulate chaotic_rate --g -1 --out a.npz", "`g` must be in [0.0, inf), got -1.0"),
    ("simulate chaotic_rate --g nan --out a.npz", "`g` must be finite, got nan"),
    ("simulate chaotic_rate --g inf --out a.npz", "`g` must be finite, got inf"),
    ("simulate chaotic_rate --T 0 --out a.npz", "`T` must be in (0.0, inf), got 0.0"),
    ("simulate chaotic_rate --T -1 --out a.npz", "`T` must be in (0.0, inf)"),
    ("simulate chaotic_rate --T nan --out a.npz", "`T` must be finite"),
    ("simulate chaotic_rate --dt 0 --out a.npz", "`dt` must be in (0.0, 1.0), got 0.0"),
    ("simulate chaotic_rate --dt 5 --T 1 --out a.npz", "`dt` must be in (0.0, 1.0), got 5.0"),
    ("simulate chaotic_rate --method nosuch --out a.npz", "`method` must be one of 'euler'"),
    ("simulate chaotic_rate --chains 0 --out a.npz", "`chains` must be an integer >= 1"),
    ("simulate chaotic_rate --executor nosuch --out a.npz", "`executor` must be one of"),
    ("simulate chaotic_rate --device foo --out a.npz", "`device` must be a torch device"),
    ("simulate chaotic_rate --dtype float16 --out a.npz", "argument --dtype: invalid choice"),
    ("simulate chaotic_rate --seed -1 --out a.npz", "`seed` must be an integer >= 0"),
    ("simulate chaotic_rate --record-every 0 --out a.npz", "`record_every` must be an integer >= 1"),
    ("simulate chaotic_rate --out a.txt", "`--out` must end in .npz"),
    ("simulate chaotic_rate --out exists.npz", "`--out` must be a new path (pass --overwrite"),
    ("simulate chaotic_rate --out junk.npz/a.npz", "`--out` must be a path in a folder"),
    ("simulate chaotic_rate --out /proc/nope/a.npz", "`--out` must be in a writable folder"),
    ("simulate chaotic_rate --N 1000000 --out a.npz", "the couplings (1 x N x N float64, N = 1000000) need 7.3 TiB"),
    ("simulate chaotic_rate --N 50 --T 1e9 --out a.npz", "the recorded trajectory (10000000000 records"),
    ("simulate chaotic_rate --P 3 --out a.npz", "`P`/`patterns` only apply to cards with a hopfield pathway"),
    ("simulate hopfield_rate --P 0 --out a.npz", "`P` must be an integer >= 1, got 0"),
    ("simulate chaotic_rate --plot exists.npz --out a.npz", "`--plot` must be an image file"),
    ("simulate chaotic_rate --plot exists.png --out a.npz", "`--plot` must be a new path"),
    ("simulate chaotic_rate --plot a.xyz --out a.npz", "`--plot` must be an image file ending in one of"),
    ("simulate chaotic_lif --executor torch --out a.npz", "is a spiking card, which executor 'torch' does not run"),
    ("simulate good.toml --out a.npz", "unknown key(s) ['data', 'model', 'training'] in model card"),
    ("simulate junk.npz --out a.npz", "`model` must be one of"),
    ("train nosuch.toml --out run", "`config` must be an existing TOML file"),
    ("train junk.npz --out run", "`config` must be a TOML text file (UTF-8)"),
    ("train bad.toml --out run", "`config` must be valid TOML"),
    ("train good.toml --out run --steps -1", "`training.steps` must be an integer >= 0, got -1"),
    ("train good.toml --out run --data nosuch", "`name` must be one of 'mnist'"),
    ("train good.toml --out run --data idx", "`directory` is required for source 'idx'"),
    ("train good.toml --out run --data-dir /nonexistent --data mnist", "directory /nonexistent does not exist"),
    ("train good.toml --out run --device foo", "`device` must be a torch device"),
    ("train good.toml --out run --device cuda", "needs CUDA"),
    ("train good.toml --out trained", "already exists; pass resume=True (--resume)"),
    ("train good.toml --out trained --resume --steps 1", "`training.steps` must be >= the checkpoint's step 2"),
    ("train good.toml --out fresh --resume", "`checkpoint` must be an existing file"),
    ("train other.toml --out trained --resume", "was made with another config: training.k"),
    ("train good.toml --out exists.npz", "`out` must be a folder for the training's outputs"),
    ("train unknown_key.toml --out run", "unknown"),
    ("sample trained --out exists.npz", "`--out` must be a new path"),
    ("sample trained --out a.txt", "`--out` must end in .npz"),
    ("sample nosuch --out a.npz", "`checkpoint` must be an existing file"),
    ("sample junk.npz --out a.npz", "`checkpoint` must be an .npz written by neurochaos"),
    ("sample trained --n 0 --out a.npz", "`n` must be an integer >= 1"),
    ("sample trained --t 0 --out a.npz", "`--t` must be in (0.0, inf)"),
    ("sample trained --t nan --out a.npz", "`--t` must be finite"),
    ("sample trained --device foo --out a.npz", "`device` must be a torch device"),
    ("evaluate junk.npz --data digits", "`samples` must be an .npz written by neurochaos"),
    ("evaluate nosuch.npz --data digits", "not found: nosuch.npz"),
    ("evaluate exists.json --data digits", "`samples` must be an .npz written by neurochaos"),
    ("evaluate trained/checkpoint.npz --data digits", "has no array named 'samples' or 'x'"),
    ("evaluate samples.npz --data digits --out exists.json", "`--out` must be a new path"),
    ("evaluate samples.npz --data digits --chunk 0", "`chunk` must be an integer >= 1"),
    ("evaluate samples.npz --data idx", "`directory` is required for source 'idx'"),
    ("evaluate samples.npz --data digits --device foo", "`device` must be a torch device"),
    ("evaluate samples16.npz --data digits", "16"),
    ("lyapunov chaotic_rate --N 0", "`N` must be an integer >= 1"),
    ("lyapunov chaotic_rate --exponents 0", "must be an integer >= 1, got 0"),
    ("lyapunov chaotic_rate --N 10 --exponents 11", "must be an integer in [1, N = 10], got 11"),
    ("lyapunov chaotic_rate --T 0", "`T` must be in (0.0, inf)"),
    ("lyapunov chaotic_rate --t-ons 0", "`t_ons` must be in (0.0, inf)"),
    ("lyapunov chaotic_rate --transient -1", "`transient` must be in [0.0, inf)"),
    ("lyapunov nosuch", "`model` must be one of"),
    ("lyapunov chaotic_lif", "`model` must be a rate model card for Lyapunov exponents"),
    ("dmft --g -1", "`g` must be in [0.0, inf)"),
    ("dmft --g nan", "`g` must be finite"),
    ("dmft --g 2 --s-max 0", "`s_max` must be in (0.0, inf)"),
    ("dmft --g 2 --n-s 1", "`n_s` must be an integer >= 2"),
    ("dmft --g 2 --tol 0", "`tol` must be in (0.0, 0.1]"),
    ("dmft --g 2 --max-order 0", "`max_order` must be an integer >= 16"),
    ("dmft --g 2 --model nosuch", "`model` must be one of"),
    ("autocorr chaotic_rate --N 0", "`N` must be an integer >= 1"),
    ("autocorr chaotic_rate --max-lag 0", "`--max-lag` must be in (0.0, inf)"),
    ("autocorr chaotic_rate --N 20 --T 10 --max-lag 50", "`max_lag` must be <= the measured window T = 10 tau"),
    ("autocorr chaotic_rate --T 0", "`T` must be in (0.0, inf)"),
    ("autocorr chaotic_rate --chains 0", "`chains` must be an integer >= 1"),
    ("gain-cycle hopfield_rate --period 0", "`period` must be in (0.0, inf)"),
    ("gain-cycle hopfield_rate --duty 2", "`duty` must be in [0.0, 1.0], got 2.0"),
    ("gain-cycle hopfield_rate --cycles 0", "`cycles` must be an integer >= 1"),
    ("gain-cycle hopfield_rate --g-low -1", "`g_low` must be in [0.0, inf)"),
    ("gain-cycle hopfield_rate --threshold 2", "`threshold` must be in (0.0, 1.0]"),
    ("gain-cycle hopfield_rate --plot exists.png", "`--plot` must be a new path"),
    ("gain-cycle chaotic_rate", "`model` must have a hopfield pathway"),
    ("gain-cycle nosuch", "`model` must be one of"),
    ("export-nir chaotic_lif exists.nir", "`out` must be a new path"),
    ("export-nir chaotic_lif a.txt", "`out` must end in .nir"),
    ("export-nir chaotic_rate a.nir", "cannot be exported faithfully: NIR has no tanh node"),
    ("export-nir nosuch a.nir", "`model` must be one of"),
    ("export-nir junk.npz a.nir", "`checkpoint` must be an .npz written by neurochaos"),
    ("export-nir chaotic_lif --N 0 a.nir", "`N` must be an integer >= 2"),
    ("demo --steps 0 --out d", "`steps` must be an integer >= 1, got 0"),
    ("demo --steps -3 --out d", "`steps` must be an integer >= 1, got -3"),
    ("demo --out exists.npz/d", "must be a path in a folder"),
    ("sweep nosuch.toml --out s", "`spec` must be an existing TOML file"),
    ("sweep good.toml --out s", "`spec` sections must be among ['grid', 'params', 'points', 'sweep'], got unknown"),
    ("sweep junk.npz --out s", "`spec` must be a TOML text file (UTF-8)"),
    ("sweep-plot trained --metric lambda_max --x g", "`dir` must be a sweep folder (with sweep.json)"),
    ("compare nosuch.toml --out c", "`config` must be an existing TOML file, got 'nosuch.toml'"),
    ("compare bad.toml --out c", "`config` must be valid TOML"),
    ("compare good.toml --out c", "`sections` must be among ['data', 'evaluation', 'experiment', 'generators'"),
]


def _digest(root: Path) -> dict:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, tiny_train_toml):
    good = tiny_train_toml(steps=2).replace("checkpoint_every = 1\n", "")
    """Files the cases point at: existing outputs, junk, configs, a trained folder, samples."""
    root = tmp_path_factory.mktemp("bad_inputs")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        rng = np.random.default_rng(0)
        Path("junk.npz").write_bytes(rng.bytes(3000))
        for name in ("exists.npz", "exists.nir", "exists.png"):
            Path(name).write_bytes(b"keep me")
        Path("exists.json").write_text("{}\n")
        Path("good.toml").write_text(good)
        Path("other.toml").write_text(good.replace("k = 0.01", "k = 0.5"))
        Path("bad.toml").write_text("[model\ncard = ")
        Path("unknown_key.toml").write_text(good.replace("M = 10", "M = 10\nlerning_rate = 3"))
        np.savez("samples.npz", samples=np.where(rng.random((50, 64)) > 0.5, 1.0, -1.0))
        np.savez("samples16.npz", samples=np.ones((50, 16)))
        assert main(["train", "good.toml", "--out", "trained", "--no-progress"]) == 0
    finally:
        os.chdir(cwd)
    return root


@pytest.mark.parametrize("argv, expected", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(workspace, argv, expected, monkeypatch, capsys):
    monkeypatch.chdir(workspace)
    before = _digest(workspace)
    args = argv.split()
    if args[0] in ("simulate", "train", "autocorr", "gain-cycle", "demo", "lyapunov"):
        args.append("--no-progress")
    usage = False
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own refusals (a choice outside the list): usage, then one line
        code, usage = exc.code, True
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert expected in lines[-1] and (usage or len(lines) == 1), err
    assert _digest(workspace) == before, "a refused command created or changed a file"


@pytest.fixture
def trained_checkpoint(workspace):
    return workspace / "trained" / "checkpoint.npz"


def _api_cases(ws: Path):
    from neurochaos import build_network, load_card, simulate
    from neurochaos.analysis import compute_lambda_max, compute_lyapunov_spectrum, estimate_autocorrelation, solve_dmft
    from neurochaos.data import load_dataset
    from neurochaos.executors import RunConfig, get_executor
    from neurochaos.learning import TrainConfig, load_trained
    from neurochaos.learning.checkpoint import load_checkpoint
    from neurochaos.metrics import accuracy_indices, adversarial_accuracy
    from neurochaos.model import SquareGain, initial_state
    from neurochaos.protocols import GainCycle

    net = build_network("chaotic_rate", N=10, seed=0)
    return [
        (lambda: simulate("chaotic_rate", N=10, T=1.0, dtype="float16"), errors.ConfigError, "`dtype`"),
        (
            lambda: simulate("chaotic_rate", N=10, T=1.0, executor="jax"),
            errors.ConfigError,
            "`executor` must be one of",
        ),
        (lambda: simulate("chaotic_rate", N=10, T=1.0, device="tpu9"), errors.ConfigError, "`device`"),
        (lambda: simulate("chaotic_rate", N=2_000_000, T=1.0), errors.ResourceError, "the couplings"),
        (
            lambda: build_network("chaotic_rate", N=10, bias=np.ones(3)),
            errors.ConfigError,
            "`bias` must be of shape (10)",
        ),
        (lambda: build_network("chaotic_rate", N=10, tau_ms=0), errors.ConfigError, "`tau_ms`"),
        (lambda: build_network("chaotic_rate", N=10, params={"J": 1}), errors.ModelError, "`params`"),
        (lambda: load_card(ws / "nosuch.toml"), errors.ModelError, "nosuch"),
        (lambda: load_card(ws / "good.toml"), errors.ModelError, "unknown key(s)"),
        (lambda: RunConfig(T=0.0), errors.ConfigError, "`T`"),
        (lambda: RunConfig(T=1.0, dt=0.5, record_every=0), errors.ConfigError, "`record_every`"),
        (lambda: RunConfig(T=0.01, dt=0.1), errors.ConfigError, "`T` must be >= dt"),
        (lambda: get_executor("nosuch"), errors.ConfigError, "`executor` must be one of"),
        (lambda: initial_state(net, chains=0), errors.ConfigError, "`chains`"),
        (lambda: SquareGain(1.0, 8.0, period=0.0), errors.ConfigError, "`period`"),
        (lambda: SquareGain(1.0, 8.0, period=1.0, duty=1.5), errors.ConfigError, "`duty`"),
        (lambda: GainCycle(1.0, 8.0, 10.0, duty=-0.1), errors.ConfigError, "`duty`"),
        (lambda: compute_lambda_max(net, d0=0.0), errors.ConfigError, "`d0`"),
        (lambda: compute_lyapunov_spectrum(net, k=0), errors.ConfigError, "`k`"),
        (lambda: estimate_autocorrelation(np.zeros((10, 2)), 0.1, max_lag=5.0), errors.ConfigError, "`max_lag`"),
        (lambda: solve_dmft(-1.0), errors.ConfigError, "`g`"),
        (lambda: load_dataset("nosuch"), errors.ConfigError, "`name` must be one of"),
        (lambda: load_dataset("digits", n_train=-1), errors.ConfigError, "`n_train`"),
        (lambda: accuracy_indices(np.ones((5, 4)), np.ones((5, 3))), ValueError, "`generated` must be of shape (n, 4)"),
        (lambda: accuracy_indices(np.ones((5, 4)), np.full((5, 4), np.nan)), ValueError, "finite"),
        (lambda: adversarial_accuracy(np.ones((5, 4)), np.ones((5, 4)), chunk=0), errors.ConfigError, "`chunk`"),
        (lambda: load_checkpoint(ws / "junk.npz"), errors.CheckpointError, "`checkpoint` must be an .npz"),
        (lambda: load_checkpoint(ws / "samples.npz"), errors.CheckpointError, "no array named 'format'"),
        (lambda: load_trained(ws / "nosuch"), errors.CheckpointError, "`checkpoint` must be an existing file"),
        (lambda: TrainConfig.from_dict({"training": {"k": -1.0}}), errors.ConfigError, "`training.k`"),
        (lambda: TrainConfig.from_dict({"training": {"M": 0}}), errors.ConfigError, "`training.M`"),
        (lambda: TrainConfig.from_dict({"training": {"engine": "x"}}), errors.ConfigError, "`training.engine`"),
        (lambda: TrainConfig.from_dict({"training": {"free_init": "x"}}), errors.ConfigError, "`training.free_init`"),
        (lambda: TrainConfig.from_dict({"model": {"architecture": "x"}}), errors.ConfigError, "`model.architecture`"),
        (lambda: TrainConfig.from_dict({"colour": {}}), errors.ConfigError, "colour"),
    ]


API_IDS = [f"api{i}" for i in range(35)]


@pytest.mark.parametrize("i", range(35), ids=API_IDS)
def test_api_bad_input_raises_a_typed_error_naming_the_parameter(workspace, i):
    fn, cls, text = _api_cases(workspace)[i]
    before = _digest(workspace)
    with pytest.raises(cls) as info:
        fn()
    assert isinstance(info.value, errors.NeurochaosError), f"{type(info.value).__name__}: {info.value}"
    assert text in str(info.value)
    assert _digest(workspace) == before


def test_catalogue_counts(workspace):
    """The size of the catalogue: >= 80 cases over every command and the public API."""
    from neurochaos.cli import COMMAND_MODULES

    commands = {c[0].split()[0] for c in CLI_CASES}
    assert commands >= {m.replace("_", "-") for m in COMMAND_MODULES} - {"models"}
    assert len(CLI_CASES) + len(_api_cases(workspace)) >= 80 and len(_api_cases(workspace)) == len(API_IDS)
