"""Simulated runs as NWB files: written, read back equal, the card and meta inside; from the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb", reason="the nwb extra is not installed")

from neurochaos.cli import main  # noqa: E402
from neurochaos.errors import ConfigError  # noqa: E402
from neurochaos.export import read_nwb, write_nwb  # noqa: E402
from neurochaos.simulate import simulate  # noqa: E402


def test_a_rate_run_round_trips_with_its_card_and_times_in_seconds(tmp_path):
    tr = simulate("mixed_rate", N=30, P=2, T=3.0, chains=2, seed=4, record_every=2)
    path = write_nwb(tr, tmp_path / "run.nwb")
    back = read_nwb(path)
    np.testing.assert_array_equal(back.x, tr.x)
    np.testing.assert_array_equal(back.x_final, tr.x_final)
    np.testing.assert_allclose(back.t, tr.t, rtol=1e-12, atol=1e-12)
    assert back.meta["model"] == "mixed_rate" and back.meta["seed"] == 4 and back.executor == tr.executor
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        f = io.read()
        ts = f.acquisition["x"]
        assert ts.unit == "1" and ts.data.shape == (15, 2, 30)
        assert ts.timestamps[1] == pytest.approx(2 * 0.1 * 10e-3)  # two steps of 0.1 tau, tau = 10 ms
        notes = json.loads(f.notes)
        assert 'name = "mixed_rate"' in notes["card_toml"] and notes["tau_ms"] == 10.0


def test_a_spiking_run_round_trips_spikes_per_chain_and_neuron(tmp_path):
    tr = simulate("chaotic_lif", N=60, T=2.0, chains=2, seed=0, record_every=20)
    assert tr.counts().sum() > 0
    back = read_nwb(write_nwb(tr, tmp_path / "lif.nwb"))
    np.testing.assert_array_equal(back.counts(), tr.counts())
    for m in range(2):
        i0, t0 = tr.chain(m)
        i1, t1 = back.chain(m)
        a, b = np.lexsort((t0, i0)), np.lexsort((t1, i1))
        np.testing.assert_array_equal(i1[b], i0[a])
        np.testing.assert_allclose(t1[b], t0[a], rtol=1e-12)
    np.testing.assert_allclose(back.x, tr.x)
    assert back.duration_ms == tr.duration_ms and back.N == 60
    with pynwb.NWBHDF5IO(str(tmp_path / "lif.nwb"), "r") as io:
        f = io.read()
        assert len(f.units) == 120 and f.acquisition["v"].conversion == 1e-3


def test_cli_simulate_writes_nwb_and_refuses_other_suffixes(tmp_path, capsys):
    out = tmp_path / "run.nwb"
    assert main(["simulate", "chaotic_rate", "--N", "20", "--T", "2", "--out", str(out), "--no-progress"]) == 0
    assert read_nwb(out).x.shape == (20, 1, 20) and (tmp_path / "run.json").exists()
    assert main(["simulate", "chaotic_rate", "--N", "20", "--T", "2", "--out", str(tmp_path / "r.h5")]) == 2
    assert "`--out` must end in .npz" in capsys.readouterr().err
    with pytest.raises(ConfigError, match=r"`path` must end in \.nwb"):
        write_nwb(simulate("chaotic_rate", N=10, T=1.0), tmp_path / "x.h5")


def test_cli_npz_of_a_spiking_card_keeps_its_spikes(tmp_path):
    out = tmp_path / "lif.npz"
    assert main(["simulate", "chaotic_lif", "--N", "60", "--T", "2", "--out", str(out), "--no-progress"]) == 0
    with np.load(out) as z:
        assert {"spike_i", "spike_chain", "spike_t_ms"} <= set(z.files) and len(z["spike_i"]) > 0
    assert json.loads((tmp_path / "lif.json").read_text())["executor"] == "brian2-runtime"
