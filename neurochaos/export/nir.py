"""Spiking networks to and from NIR (the Neuromorphic Intermediate Representation).

The graph of a spiking network of N neurons::

    input (Input, N) -> lif (CubaLIF, N) -> output (Output, N)
                        lif -> rec (Affine, N x N) -> lif      (recurrence: a cycle)

Convention (discrete-time reading, the one snnTorch's and Norse's importers
use): times in seconds, potentials in mV, the step ``dt`` in the graph's
metadata. With ``r = tau_mem / dt`` and ``w_in = tau_syn / dt`` one Euler step
of NIR's CubaLIF is ``I <- (1 - dt/tau_syn) I + x``, ``v <- (1 - dt/tau_mem) v + I``
(potential relative to ``v_leak``), where ``x = W s + b`` is the Affine output
for the spike vector s in {0, 1}^N of the previous step. The neurochaos cards
(``tau dv/dt = -(v - V_L) + I + mu``, a spike adding ``w tau / tau_s`` to I)
map onto it with ``W = g w dt / tau_s`` (mV) and ``b = mu dt^2 / (tau tau_s)``
(the drive enters through the synaptic filter, so it takes ~tau_s to build up).
What CubaLIF cannot hold is written to ``metadata`` (refractory period) or
refused with :class:`ExportError` (time-varying gain, other synapse forms).
NIR has no tanh node: rate networks are refused, or exported linearised
around x = 0 (``linearize=True``).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..io import atomic_path

__all__ = ["ExportError", "network_to_nir", "export_nir", "export_model", "read_nir", "nir_to_network", "CONVENTION"]

CONVENTION = "neurochaos-discrete-v1: r = tau_mem/dt, w_in = tau_syn/dt, spike = 1 per step; t in s, v in mV"
_ON_PRE = re.compile(r"^\s*(\w+)_post\s*\+=\s*w\s*\*\s*tau\s*/\s*tau_s\s*$")


class ExportError(ModelError):
    """A network (or a NIR file) that the NIR mapping cannot express; the message says what."""


def _nir():
    try:
        import nir
    except ImportError as exc:  # pragma: no cover - nir is in the `export` extra
        raise ExportError(f"NIR export needs the `nir` package: pip install 'neurochaos[export]' ({exc})") from exc
    return nir


def _constant_gain(network) -> float:
    g = network.gain.constant_value
    if g is None:
        raise ExportError(
            f"`gain` must be constant for NIR export (NIR has no time-varying gain), got {type(network.gain).__name__}"
        )
    return g


def _rate_to_nir(network, linearize: bool):
    """Rate networks: RateNetwork, or a trained GenerativeNetwork (``coupling()``, ``bias``)."""
    nir = _nir()
    card = network.card
    if not linearize:
        raise ExportError(
            f"rate network {card.name!r} cannot be exported faithfully: NIR has no tanh node "
            f"(its rate r = {card.rate_update.split('=')[-1].strip()} has no NIR primitive). NIR can express "
            "the leaky integration (LI) and the recurrent weights (Affine): pass linearize=True "
            "(CLI: --linearize) to export the network linearised around x = 0 (tanh'(0) = 1)"
        )
    W = network.coupling() if hasattr(network, "coupling") else network.effective_coupling(_constant_gain(network))
    N = W.shape[0]
    one = np.ones(N)
    nodes = {
        "input": nir.Input(input_type=np.array([N])),
        "li": nir.LI(tau=network.tau_ms * 1e-3 * one, r=one, v_leak=0 * one),
        "rec": nir.Affine(weight=W, bias=np.asarray(network.bias, dtype=float).copy()),
        "output": nir.Output(output_type=np.array([N])),
    }
    edges = [("input", "li"), ("li", "rec"), ("rec", "li"), ("li", "output")]
    meta = {"neurochaos_model": card.name, "neurochaos_kind": "rate-linearised", "time_unit": "s"}
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def network_to_nir(network, *, dt_ms: float | None = None, linearize: bool = False, refractory: str = "drop"):
    """A :class:`nir.NIRGraph` of a spiking network (or a linearised rate network).

    Parameters
    ----------
    network : SpikingNetwork (or RateNetwork with ``linearize=True``)
    dt_ms : the step of the discrete-time reading (default: the card's dt, 0.1 ms)
    refractory : ``"drop"`` (default; warn and record ``t_ref`` in metadata) or ``"error"``
        (CubaLIF has no refractory period)

    >>> from neurochaos.model import build_spiking_network
    >>> g = network_to_nir(build_spiking_network("chaotic_lif", N=50, seed=0), refractory="error")
    Traceback (most recent call last):
    ...
    neurochaos.export.nir.ExportError: `refractory` ...
    """
    if network.card.kind == "rate":
        return _rate_to_nir(network, linearize)
    nir = _nir()
    prm, N = network.params, network.N
    for key in ("tau_s_ms", "theta_mV", "V_r_mV", "V_L_mV"):
        if key not in prm:
            raise ExportError(f"`parameters.{key}` must be given for NIR export, got nothing ({network.card.name})")
    tau_ms, tau_s_ms = float(network.tau_ms), float(prm["tau_s_ms"])
    dt_ms = float(prm["dt"]) * tau_ms if dt_ms is None else float(dt_ms)
    if not 0 < dt_ms < min(tau_ms, tau_s_ms):
        raise ExportError(f"`dt_ms` must be in (0, min(tau, tau_s) = {min(tau_ms, tau_s_ms)}), got {dt_ms}")
    g = _constant_gain(network)
    t_ref = float(prm.get("t_ref_ms", 0.0))
    if t_ref > 0 and refractory == "error":
        raise ExportError(f"`refractory` period t_ref = {t_ref} ms has no CubaLIF parameter (NIR has none)")
    if t_ref > 0:
        warnings.warn(
            f"NIR CubaLIF has no refractory period: t_ref = {t_ref} ms dropped (kept in metadata)", stacklevel=2
        )
    W = np.zeros((N, N))
    for p in network.card.pathways:
        m = _ON_PRE.match(p.on_pre)
        if m is None or m.group(1) != p.target:
            raise ExportError(
                f"pathway {p.name!r}: only `{p.target}_post += w * tau / tau_s` maps onto CubaLIF, got {p.on_pre!r}"
            )
        from ..model.network import gain_scales

        W += (g if gain_scales(network.card, p.target) else 1.0) * network.dense_weights(p.name)
    dt, tau, tau_s = dt_ms * 1e-3, tau_ms * 1e-3, tau_s_ms * 1e-3
    one = np.ones(N)
    V_L = float(prm["V_L_mV"])
    nodes = {
        "input": nir.Input(input_type=np.array([N])),
        "lif": nir.CubaLIF(
            tau_syn=tau_s * one,
            tau_mem=tau * one,
            r=(tau / dt) * one,
            v_leak=V_L * one,
            v_threshold=float(prm["theta_mV"]) * one,
            v_reset=float(prm["V_r_mV"]) * one,
            w_in=(tau_s / dt) * one,
        ),
        "rec": nir.Affine(weight=W * dt / tau_s, bias=network.bias * dt * dt / (tau * tau_s)),
        "output": nir.Output(output_type=np.array([N])),
    }
    edges = [("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")]
    meta = {
        "neurochaos_model": network.card.name,
        "neurochaos_kind": "spiking",
        "convention": CONVENTION,
        "dt_s": dt,
        "time_unit": "s",
        "voltage_unit": "mV",
        "refractory_s": t_ref * 1e-3,
        "gain": g,
        "seed": -1 if network.seed is None else int(network.seed),
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def export_nir(network, path, **options) -> Path:
    """Write :func:`network_to_nir` of ``network`` to ``path`` with ``nir.write`` (atomically)."""
    nir = _nir()
    graph = network_to_nir(network, **options)
    with atomic_path(path, ".nir") as tmp:
        nir.write(tmp, graph)
    return Path(path)


def export_model(
    model_or_checkpoint,
    out,
    *,
    N: int | None = None,
    g: float | None = None,
    seed: int = 0,
    linearize: bool = False,
    refractory: str = "drop",
) -> Path:
    """Draw a network from a card (or load a trained rate checkpoint) and write it as NIR.

    Parameters
    ----------
    model_or_checkpoint : spiking or rate card name / ``.toml`` path, or a training
        checkpoint (``.npz`` or its folder) of :mod:`neurochaos.learning`
    out : output ``.nir`` path
    N, g, seed : network size, gain and seed (cards only)
    linearize : rate networks only: export the linearisation around x = 0
    """
    from ..model import build_network, build_spiking_network, load_card

    src = Path(str(model_or_checkpoint))
    if src.suffix == ".npz" or src.is_dir():
        from ..learning import load_trained

        network = load_trained(src)[0]
    else:
        card = load_card(model_or_checkpoint)
        build = build_spiking_network if card.kind == "spiking" else build_network
        network = build(card, N=N, g=g, seed=seed)
    if network.card.kind == "rate":
        nir = _nir()
        with atomic_path(out, ".nir") as tmp:
            nir.write(tmp, _rate_to_nir(network, linearize))
        return Path(out)
    return export_nir(network, out, refractory=refractory)


def read_nir(path):
    """``nir.read`` with a clear error for files that are not NIR (HDF5) graphs."""
    nir = _nir()
    p = Path(path)
    if not p.exists():
        raise ExportError(f"`path` must be an existing NIR file, got {str(p)!r}")
    try:
        return nir.read(p)
    except Exception as exc:  # h5py raises OSError, nir KeyError/ValueError on foreign files
        raise ExportError(f"`path` is not a readable NIR graph ({p}): {type(exc).__name__}: {exc}") from exc


def _meta(graph, key: str, where: str):
    meta = getattr(graph, "metadata", None) or {}
    if key not in meta:
        raise ExportError(
            f"NIR graph metadata must give `{key}` (units of the graph), got keys {sorted(meta)} ({where})"
        )
    v = meta[key]
    return v.decode() if isinstance(v, bytes) else (v.item() if isinstance(v, np.generic | np.ndarray) else v)


def nir_to_network(graph, *, where: str = "NIR graph"):
    """A :class:`~neurochaos.model.SpikingNetwork` (card ``chaotic_lif``, one pathway) from a NIR graph.

    Accepts exactly the structure :func:`network_to_nir` writes (Input -> CubaLIF <-> Affine/Linear,
    CubaLIF -> Output) with homogeneous neuron parameters, and the units in the metadata.
    """
    from ..model.card import load_card
    from ..model.connectivity import dense_to_sparse
    from ..model.spiking import SpikingNetwork, card_parameters

    nir = _nir()
    if isinstance(graph, str | Path):
        where, graph = str(graph), read_nir(graph)
    nodes = getattr(graph, "nodes", {})
    lifs = [k for k, n in nodes.items() if isinstance(n, nir.CubaLIF)]
    recs = [k for k, n in nodes.items() if isinstance(n, nir.Affine | nir.Linear)]
    ins = [k for k, n in nodes.items() if isinstance(n, nir.Input)]
    outs = [k for k, n in nodes.items() if isinstance(n, nir.Output)]
    kinds = sorted(type(n).__name__ for n in nodes.values())
    if not (len(lifs) == len(recs) == len(ins) == len(outs) == 1 and len(nodes) == 4):
        raise ExportError(
            "NIR graph must be Input -> CubaLIF <-> Affine|Linear -> Output (a neurochaos spiking network), "
            f"got nodes {kinds} ({where})"
        )
    lif, rec = nodes[lifs[0]], nodes[recs[0]]
    need = {(ins[0], lifs[0]), (lifs[0], recs[0]), (recs[0], lifs[0]), (lifs[0], outs[0])}
    if set(map(tuple, graph.edges)) != need:
        raise ExportError(f"NIR graph edges must be {sorted(need)}, got {sorted(map(tuple, graph.edges))} ({where})")
    for unit_key, want in (("time_unit", "s"), ("voltage_unit", "mV")):
        got = _meta(graph, unit_key, where)
        if got != want:
            raise ExportError(f"NIR graph metadata `{unit_key}` must be {want!r}, got {got!r} ({where})")
    dt = float(_meta(graph, "dt_s", where))
    if not dt > 0:
        raise ExportError(f"NIR graph metadata `dt_s` must be > 0, got {dt} ({where})")
    fields = {}
    for name in ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"):
        arr = np.asarray(getattr(lif, name), dtype=float).ravel()
        if not np.all(np.isfinite(arr)) or np.ptp(arr) > 1e-12 * max(1.0, np.abs(arr).max()):
            raise ExportError(f"CubaLIF `{name}` must be finite and the same for every neuron ({where})")
        fields[name] = float(arr[0])
    for name in ("tau_syn", "tau_mem"):
        if fields[name] <= 0:
            raise ExportError(f"CubaLIF `{name}` must be a time constant > 0 s, got {fields[name]} ({where})")
    tau, tau_s = fields["tau_mem"], fields["tau_syn"]
    for name, want in (("r", tau / dt), ("w_in", tau_s / dt)):
        if not np.isclose(fields[name], want, rtol=1e-9):
            raise ExportError(f"CubaLIF `{name}` must be {want:g} under {CONVENTION!r}, got {fields[name]} ({where})")
    W = np.asarray(rec.weight, dtype=float)
    N = W.shape[0]
    bias = np.asarray(getattr(rec, "bias", np.zeros(N)) if isinstance(rec, nir.Affine) else np.zeros(N), dtype=float)
    if W.shape != (N, N) or np.asarray(lif.v_threshold).size != N:
        raise ExportError(f"recurrent weight must be ({N}, {N}) like the CubaLIF, got {W.shape} ({where})")
    card = load_card("chaotic_lif")
    params = {
        "N": N,
        "tau_ms": tau * 1e3,
        "tau_s_ms": tau_s * 1e3,
        "V_L_mV": fields["v_leak"],
        "theta_mV": fields["v_threshold"],
        "V_r_mV": fields["v_reset"],
        "t_ref_ms": float(_meta(graph, "refractory_s", where)) * 1e3 if "refractory_s" in graph.metadata else 0.0,
        "g": 1.0,
        "dt": dt / tau,
    }
    prm = card_parameters(card, params)
    conns = {"rand": dense_to_sparse(W * tau_s / dt)}
    mu = bias * tau * tau_s / (dt * dt)
    return SpikingNetwork(card, N, N - N // 5, conns, mu, 1.0, tau * 1e3, prm, None, None)
