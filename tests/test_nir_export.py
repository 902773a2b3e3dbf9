"""NIR export: round trip through nir.write / nir.read, bad files, rate networks, and snnTorch agreement."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

nir = pytest.importorskip("nir", reason="the nir package is missing (pip install .[export])")

from neurochaos.cli import main  # noqa: E402
from neurochaos.errors import ModelError  # noqa: E402
from neurochaos.export import ExportError, export_nir, network_to_nir, nir_to_network, read_nir  # noqa: E402
from neurochaos.model import SquareGain, build_network, build_spiking_network  # noqa: E402


def _net(**kw):
    return build_spiking_network("mixed_lif", N=60, P=2, g=0.7, seed=4, **kw)


def _export(net, path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return export_nir(net, path, **kw)


def test_nir_round_trip_is_identical(tmp_path):
    net = _net()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        graph = network_to_nir(net)
    _export(net, tmp_path / "net.nir")
    back = nir.read(tmp_path / "net.nir")
    assert set(back.nodes) == set(graph.nodes) == {"input", "lif", "rec", "output"}
    assert sorted(back.edges) == sorted(graph.edges) and ("rec", "lif") in back.edges  # recurrence is a cycle
    for name in ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"):
        np.testing.assert_array_equal(getattr(back.nodes["lif"], name), getattr(graph.nodes["lif"], name))
    np.testing.assert_array_equal(back.nodes["rec"].weight, graph.nodes["rec"].weight)
    np.testing.assert_array_equal(back.nodes["rec"].bias, graph.nodes["rec"].bias)
    assert back.metadata["time_unit"] == "s" and back.metadata["voltage_unit"] == "mV"


def test_read_back_network_has_the_same_coupling_drive_and_neurons(tmp_path):
    net = _net()
    back = nir_to_network(_export(net, tmp_path / "net.nir"))
    np.testing.assert_allclose(back.dense_weights("rand"), net.effective_coupling(0.7), atol=1e-12)
    np.testing.assert_allclose(back.bias, net.bias, rtol=1e-12)
    for key in ("tau_ms", "tau_s_ms", "theta_mV", "V_r_mV", "V_L_mV", "t_ref_ms"):
        assert back.params[key] == pytest.approx(net.params[key]), key


def test_refractory_period_is_reported_not_silently_lost(tmp_path):
    with pytest.warns(UserWarning, match=r"no refractory period: t_ref = 0.5 ms dropped"):
        network_to_nir(_net())
    with pytest.raises(ExportError, match=r"`refractory` period t_ref = 0.5 ms has no CubaLIF parameter"):
        network_to_nir(_net(), refractory="error")


def test_time_varying_gain_cannot_be_exported():
    net = _net().with_gain(SquareGain(low=0.5, high=2.0, period=1.0))
    with pytest.raises(ExportError, match=r"`gain` must be constant for NIR export .*got SquareGain"):
        network_to_nir(net)


def test_rate_network_names_what_nir_cannot_express(tmp_path):
    net = build_network("chaotic_rate", N=20, g=1.5, seed=0)
    with pytest.raises(ExportError, match=r"NIR has no tanh node") as err:
        network_to_nir(net)
    assert isinstance(err.value, ModelError)
    graph = network_to_nir(net, linearize=True)
    assert isinstance(graph.nodes["li"], nir.LI)
    np.testing.assert_allclose(graph.nodes["rec"].weight, 1.5 * net.weights["rand"])


def test_not_a_nir_file_is_a_clear_error(tmp_path):
    p = tmp_path / "x.nir"
    p.write_text("hello")
    with pytest.raises(ExportError, match=r"`path` is not a readable NIR graph"):
        read_nir(p)
    with pytest.raises(ExportError, match=r"`path` must be an existing NIR file"):
        read_nir(tmp_path / "missing.nir")


def test_foreign_graph_is_not_a_neurochaos_network(tmp_path):
    n = 4
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([n])),
            "lin": nir.Linear(weight=np.eye(n)),
            "lif": nir.LIF(tau=np.ones(n), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n)),
            "output": nir.Output(output_type=np.array([n])),
        },
        edges=[("input", "lin"), ("lin", "lif"), ("lif", "output")],
    )
    nir.write(tmp_path / "ff.nir", graph)
    with pytest.raises(ExportError, match=r"must be Input -> CubaLIF <-> Affine\|Linear -> Output .*got nodes"):
        nir_to_network(tmp_path / "ff.nir")


def _tampered(tmp_path, edit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        graph = network_to_nir(_net())
    edit(graph)
    nir.write(tmp_path / "t.nir", graph)
    return tmp_path / "t.nir"


def test_missing_units_are_a_clear_error(tmp_path):
    p = _tampered(tmp_path, lambda g: g.metadata.pop("time_unit"))
    with pytest.raises(ExportError, match=r"metadata must give `time_unit` \(units of the graph\)"):
        nir_to_network(p)


def test_negative_time_constants_are_a_clear_error(tmp_path):
    def negate(g):
        g.nodes["lif"].tau_mem = -g.nodes["lif"].tau_mem

    with pytest.raises(ExportError, match=r"CubaLIF `tau_mem` must be a time constant > 0 s, got -0.02"):
        nir_to_network(_tampered(tmp_path, negate))


def test_cli_export_nir(tmp_path, capsys):
    out = tmp_path / "c.nir"
    assert main(["export-nir", "chaotic_lif", str(out), "--N", "40", "--refractory", "drop"]) == 0
    assert nir_to_network(out).N == 40
    assert main(["export-nir", "chaotic_rate", str(tmp_path / "r.nir")]) == 2
    assert "NIR has no tanh node" in capsys.readouterr().err
    assert main(["export-nir", "chaotic_rate", str(tmp_path / "r.nir"), "--linearize", "--N", "10"]) == 0


def snntorch_counts(path, N: int, steps: int) -> np.ndarray:
    """Spike counts per neuron of the NIR file run by snnTorch (import_from_nir), zero input."""
    import torch
    from snntorch.import_nir import import_from_nir

    module = import_from_nir(nir.read(path))
    state, counts = None, np.zeros(N)
    with torch.no_grad():
        x = torch.zeros(1, N)
        for _ in range(steps):
            out, state = module(x, state)
            counts += out[0].numpy()
    return counts


def test_snntorch_reads_the_file_and_agrees_on_spike_counts(tmp_path):
    """Same network, same drive: per-neuron spike counts within 2 spikes over 500 ms.

    Conventions aligned on purpose: V_L = V_r = 0 (snnTorch resets to zero, v_leak = 0),
    t_ref = dt (snnTorch zeroes v one step after the spike), Euler at dt = 0.1 ms
    (snnTorch's fixed dt). Left: the drive enters snnTorch through the synaptic filter.
    """
    pytest.importorskip("snntorch", reason="snnTorch is missing (the cross-check reference, not a dependency)")
    from neurochaos.executors import RunConfig, get_executor

    N, steps = 100, 5000
    net = build_spiking_network(
        "chaotic_lif", N=N, g=0.5, seed=0, params={"V_r_mV": 0.0, "t_ref_ms": 0.1}, bias=np.linspace(18, 30, N)
    )
    path = _export(net, tmp_path / "snn.nir")
    c_snn = snntorch_counts(path, N, steps)
    with get_executor("brian2-runtime", kind="spiking", record_v=0) as ex:
        ex.prepare(net, RunConfig(T=steps * 0.005, dt=0.005, method="euler"))
        c_brian = ex.run(np.zeros((1, N))).counts()[0]
    assert c_brian.sum() > 500
    assert np.abs(c_snn - c_brian).max() <= 2, np.abs(c_snn - c_brian).max()
