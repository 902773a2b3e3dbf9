"""Nothing silently wrong (issue 13): each misleading message, and the one-line error that replaced it."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from neurochaos.cli import main
from neurochaos.errors import ConfigError, DataError, ModelError

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def _error_line(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert err.startswith(f"neurochaos {command}: error: ") and err.count("\n") == 1, err
    return err


# --- 1. IDX header checked against the data size (no int64 overflow) ------------------------------------


def _idx(path: Path, dims, data: bytes, code: int = 0x08) -> Path:
    path.write_bytes(bytes([0, 0, code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims) + data)
    return path


def test_truncated_idx_says_what_the_header_declares_and_what_the_file_has(tmp_path):
    from neurochaos.data import read_idx

    path = _idx(tmp_path / "train-images-idx3-ubyte", (60000, 28, 28), bytes(1234))
    with pytest.raises(DataError) as err:
        read_idx(path)
    assert str(err.value) == (
        f"`{path}` is not a valid IDX file: header declares 60000 x 28 x 28 = 47040000 bytes of data, "
        "the file has 1234 after its 16-byte header"
    )


def test_idx_header_whose_size_overflows_int64_is_not_reported_as_trailing_bytes(tmp_path):
    from neurochaos.data import read_idx

    path = _idx(tmp_path / "huge-idx3-ubyte", (2**31, 2**31, 4), bytes(100))  # 2**64 bytes: 0 in int64
    with pytest.raises(DataError, match=r"header declares 2147483648 x 2147483648 x 4 = 18446744073709551616 bytes"):
        read_idx(path)
    path = _idx(tmp_path / "big-idx2-int", (2**32 - 1, 2**32 - 1), bytes(10), code=0x0C)
    with pytest.raises(DataError, match=r"4294967295 x 4294967295 elements of 4 bytes = \d+ bytes of data, the file"):
        read_idx(path)


# --- 2. a file that is not an .npz: say so, not numpy's pickle text ----------------------------------------


def _random_bytes(path: Path) -> Path:
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    return path


def test_evaluate_random_bytes_says_not_an_npz(tmp_path, capsys):
    path = _random_bytes(tmp_path / "samples.npz")
    assert main(["evaluate", str(path), "--data", "digits"]) == 2
    err = _error_line(capsys, "evaluate")
    assert f"`samples` must be an .npz written by neurochaos, got {path}: not a zip/npz file" in err
    assert "pickle" not in err


def test_load_samples_reads_npy_and_refuses_object_arrays_without_pickle_text(tmp_path):
    from neurochaos.metrics.evaluate import load_samples

    np.save(tmp_path / "s.npy", np.ones((3, 4)))
    assert load_samples(tmp_path / "s.npy").shape == (3, 4)
    np.savez(tmp_path / "o.npz", samples=np.array([{"a": 1}], dtype=object))
    with pytest.raises(DataError, match=r"`samples` must be an \.npz written by neurochaos, .*holds Python objects"):
        load_samples(tmp_path / "o.npz")


def test_rbm_load_of_a_foreign_file_names_the_file(tmp_path):
    from neurochaos.baselines.rbm import RBM

    path = _random_bytes(tmp_path / "rbm.npz")
    with pytest.raises(
        DataError, match=r"^`rbm` must be an \.npz written by neurochaos, got .*rbm\.npz: not a zip/npz"
    ):
        RBM.load(path)
    np.savez(tmp_path / "other.npz", visible_bias=np.zeros(3))
    with pytest.raises(DataError, match=r"no array named 'W', 'hidden_bias', 'steps' \(found: 'visible_bias'\)"):
        RBM.load(tmp_path / "other.npz")


def test_load_npz_reasons(tmp_path):
    from neurochaos.loading import load_npz

    with pytest.raises(DataError, match=r"^`checkpoint` must be an \.npz written by neurochaos, got .*: no such file$"):
        load_npz(tmp_path / "nope.npz", "checkpoint")
    with zipfile.ZipFile(tmp_path / "text.zip", "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(ConfigError, match=r"member 'notes\.txt' is not a numpy array"):
        load_npz(tmp_path / "text.zip", "weights", cls=ConfigError)
    np.savez(tmp_path / "ok.npz", a=np.arange(3), b=np.array("text"))
    got = load_npz(tmp_path / "ok.npz", "weights", required=["a"])
    assert sorted(got) == ["a", "b"] and got["a"].tolist() == [0, 1, 2]


def test_sample_random_bytes_checkpoint_says_not_an_npz(tmp_path, capsys):
    path = _random_bytes(tmp_path / "checkpoint.npz")
    assert main(["sample", str(path), "--out", str(tmp_path / "s.npz")]) == 2
    err = _error_line(capsys, "sample")
    assert "not a zip/npz file" in err and "pickle" not in err


# --- 3. NEUROCHAOS_MODELS naming a missing folder ------------------------------------------------------------


def test_missing_models_folder_is_named(tmp_path, monkeypatch, capsys):
    from neurochaos.model import list_cards, load_card

    missing = tmp_path / "no_cards_here"
    monkeypatch.setenv("NEUROCHAOS_MODELS", str(missing))
    want = f"`NEUROCHAOS_MODELS` must name an existing folder of model cards, got {str(missing)!r} (the folder does not exist)"
    with pytest.raises(ModelError) as err:
        load_card("chaotic_rate")
    assert str(err.value) == want
    with pytest.raises(ModelError, match="the folder does not exist"):
        list_cards()
    assert main(["simulate", "chaotic_rate", "--T", "1", "--out", str(tmp_path / "x.npz"), "--no-progress"]) == 2
    assert want in _error_line(capsys, "simulate")
    assert not (tmp_path / "x.npz").exists()
    (tmp_path / "a_file").write_text("")
    monkeypatch.setenv("NEUROCHAOS_MODELS", str(tmp_path / "a_file"))
    with pytest.raises(ModelError, match=r"\(it is not a folder\)"):
        list_cards()


# --- 4. autocorr max_lag beyond the window: refused, not clipped ---------------------------------------------


def test_autocorr_max_lag_beyond_the_window_is_refused_before_simulating(monkeypatch, capsys):
    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before checking max_lag")

    monkeypatch.setattr(sys.modules["neurochaos.simulate"], "simulate", no_simulation)
    argv = ["autocorr", "chaotic_rate", "--N", "20", "--T", "5", "--transient", "1", "--max-lag", "8", "--no-progress"]
    assert main(argv) == 2
    assert "`max_lag` must be <= the measured window T = 5 tau, got 8.0" in _error_line(capsys, "autocorr")


def test_estimate_autocorrelation_refuses_a_lag_beyond_the_window_and_accepts_the_window():
    from neurochaos.analysis.stats import estimate_autocorrelation

    x = np.random.default_rng(0).normal(size=(100, 3))  # 100 samples of 0.1 tau: window 10 tau
    with pytest.raises(ConfigError, match=r"^`max_lag` must be <= the measured window T = 8 tau, got 9\.0$"):
        estimate_autocorrelation(x, 0.1, transient=2.0, max_lag=9.0)
    ac = estimate_autocorrelation(x, 0.1, max_lag=10.0)
    assert ac.s[-1] == pytest.approx(9.9) and ac.settings["max_lag"] == pytest.approx(9.9)
    assert len(estimate_autocorrelation(x, 0.1, max_lag=6.0).s) == 61  # within the window: the lag asked for


def test_measure_autocorrelation_returns_lags_past_half_the_window_when_asked():
    from neurochaos.analysis.stats import measure_autocorrelation

    ac = measure_autocorrelation(N=20, g=2.0, T=4.0, transient=1.0, max_lag=3.0)
    assert ac.s[-1] == pytest.approx(3.0)  # was silently cut to T / 2 = 2


# --- 5. the gain-modulation experiment checks its whole config before running anything ---------------------


def test_gain_modulation_bad_schedule_fails_before_anything_is_written(tmp_path):
    spec = importlib.util.spec_from_file_location("exp_gain_modulation_msg", EXPERIMENTS / "gain_modulation" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    smoke = (EXPERIMENTS / "gain_modulation" / "smoke.toml").read_text()
    out = tmp_path / "out"
    for old, new, match in [
        ("duty = 0.5", "duty = 1.5", r"`fig4e\.duty` must be in \(0\.0, 1\.0\), got 1\.5"),
        ("g_highs = [2.0, 8.0]", "g_highs = [2.0, -1.0]", r"`table\.g_highs` must be in \[0\.0, inf\), got -1\.0"),
        ("max_lag = 5.0", "max_lag = 50.0", r"`sweep\.max_lag` must be <= the measured window sweep\.T = 20 tau"),
    ]:
        assert old in smoke
        bad = tmp_path / "bad.toml"
        bad.write_text(smoke.replace(old, new))
        with pytest.raises(ConfigError, match=match + r".*bad\.toml"):
            run.main(bad, out=out)
        assert not out.exists()


# --- 6. a spiking card on the torch executor -----------------------------------------------------------------


def test_simulate_spiking_card_on_torch_names_the_executor(tmp_path, capsys):
    out = tmp_path / "lif.npz"
    argv = ["simulate", "chaotic_lif", "--executor", "torch", "--T", "1", "--out", str(out), "--no-progress"]
    assert main(argv) == 2
    err = _error_line(capsys, "simulate")
    assert "`model` 'chaotic_lif' is a spiking card, which executor 'torch' does not run; use one of" in err
    assert "brian2-runtime" in err and "unknown recipe" not in err
    assert not out.exists()
