"""Simulated activity as NWB files (extra ``nwb``: ``pip install 'neurochaos[nwb]'``), and back.

NWB (Neurodata Without Borders, through ``pynwb``) is how the field shares recorded and
simulated activity. One run is one file:

- a **rate** run's state ``x`` is the acquisition ``TimeSeries`` "x", data (n_records, M, N)
  (time, chains, units), dimensionless (unit "1"), timestamps in seconds (t in tau times the
  card's tau);
- a **spiking** run's spikes are the ``Units`` table, one unit per (chain, neuron) with
  columns ``chain`` and ``neuron`` and spike times in seconds; its recorded potentials are
  the ``TimeSeries`` "v" in volts (stored in mV with ``conversion = 1e-3``);
- the final state is the scratch array "x_final" (M, N);
- the file's ``notes`` hold JSON: the neurochaos version, the trace's ``meta`` (model, N,
  seed, gain, dt, method, executor ...) and the model card's TOML text, so the file says
  which declaration produced it.

:func:`read_nwb` returns the ``Trace`` or ``SpikeTrace`` that was written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..executors.base import Trace
from ..executors.brian_spiking import SpikeTrace

__all__ = ["write_nwb", "read_nwb", "trace_to_nwb"]


def _pynwb():
    try:
        import pynwb
    except ImportError:
        raise ConfigError("`--out` .nwb needs pynwb, which is not installed: pip install 'neurochaos[nwb]'") from None
    return pynwb


def _card_text(meta: dict, card) -> tuple[str, float]:
    """(the card's TOML text, its tau in ms) of the card given, or of ``meta["model"]``."""
    from ..model import load_card

    if card is None:
        if "model" not in meta:
            raise ConfigError("`card` must be given for a trace whose meta names no model, got None")
        card = load_card(meta["model"])
    text = Path(card.path).read_text() if card.path and Path(card.path).is_file() else ""
    return text, float(card.parameters.get("tau_ms", 10.0))


def trace_to_nwb(trace: Trace, *, card=None, tau_ms: float | None = None, description: str | None = None):
    """The ``pynwb.NWBFile`` of one simulated run (see the module docstring for its layout).

    Parameters
    ----------
    trace : Trace (rate: ``x`` (n_records, M, N)) or SpikeTrace (spikes, potentials in mV)
    card : the ModelCard that produced it (default: ``trace.meta["model"]``, loaded by name)
    tau_ms : the time constant that turns t (in tau) into seconds (default: the card's)
    description : session description (default: names the model and executor)
    """
    pynwb = _pynwb()
    from datetime import UTC, datetime
    from uuid import uuid4

    import neurochaos

    meta = dict(trace.meta)
    text, card_tau = _card_text(meta, card)
    tau_s = (card_tau if tau_ms is None else float(tau_ms)) * 1e-3
    notes = {"neurochaos": neurochaos.__version__, "meta": meta, "card_toml": text, "tau_ms": tau_s * 1e3}
    if isinstance(trace, SpikeTrace):
        notes["duration_ms"] = trace.duration_ms
    nwb = pynwb.NWBFile(
        session_description=description
        or f"neurochaos simulation of {meta.get('model', 'a model card')} on {trace.executor}",
        identifier=str(uuid4()),
        session_start_time=datetime.now(UTC),
        notes=json.dumps(notes, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)),
        source_script="neurochaos",
    )
    timestamps = np.asarray(trace.t, dtype=float) * tau_s
    if isinstance(trace, SpikeTrace):
        if trace.x.size:
            nwb.add_acquisition(
                pynwb.TimeSeries(
                    name="v",
                    data=np.asarray(trace.x),
                    unit="volts",
                    conversion=1e-3,
                    timestamps=timestamps,
                    description="membrane potential (stored in mV) of the recorded neurons: time, chains, neurons",
                )  # fmt: skip
            )
        nwb.add_unit_column("chain", "chain (independent copy of the network) of the neuron")
        nwb.add_unit_column("neuron", "neuron index within its chain")
        order = np.lexsort((trace.spike_t_ms, trace.spike_i, trace.spike_chain))
        chain, neuron, t_ms = trace.spike_chain[order], trace.spike_i[order], trace.spike_t_ms[order]
        keys = chain.astype(np.int64) * trace.N + neuron
        bounds = np.searchsorted(keys, np.arange(trace.M * trace.N + 1))
        for m in range(trace.M):
            for i in range(trace.N):
                u = m * trace.N + i
                nwb.add_unit(spike_times=t_ms[bounds[u] : bounds[u + 1]] * 1e-3, chain=m, neuron=i)
    else:
        nwb.add_acquisition(
            pynwb.TimeSeries(
                name="x",
                data=np.asarray(trace.x),
                unit="1",
                timestamps=timestamps,
                description="state x of the rate network (dimensionless): time, chains, units",
            )  # fmt: skip
        )
    nwb.add_scratch(np.asarray(trace.x_final), name="x_final", description="state after the last step: chains, units")
    return nwb


def write_nwb(trace: Trace, path: str | os.PathLike, *, card=None, tau_ms: float | None = None) -> Path:
    """Write one run to ``path`` (.nwb) atomically; returns the path. See :func:`trace_to_nwb`."""
    pynwb = _pynwb()
    from ..io import atomic_path

    path = Path(path)
    if path.suffix != ".nwb":
        raise ConfigError(f"`path` must end in .nwb, got {str(path)!r}")
    nwb = trace_to_nwb(trace, card=card, tau_ms=tau_ms)
    with atomic_path(path) as tmp, pynwb.NWBHDF5IO(str(tmp), "w") as io:
        io.write(nwb)
    return path


def read_nwb(path: str | os.PathLike) -> Trace:
    """The Trace (rate run) or SpikeTrace (spiking run) written by :func:`write_nwb`; ``meta`` as written."""
    pynwb = _pynwb()
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        notes = json.loads(nwb.notes)
        tau_s = notes["tau_ms"] * 1e-3
        meta = notes["meta"]
        x_final = np.asarray(nwb.scratch["x_final"].data[:])
        executor = meta.get("executor", "")
        if nwb.units is not None and len(nwb.units) > 0:
            units = nwb.units.to_dataframe()
            v = nwb.acquisition.get("v")
            t = np.asarray(v.timestamps[:]) / tau_s if v is not None else np.zeros(0)
            x = np.asarray(v.data[:]) if v is not None else np.zeros((0, *x_final.shape[:1], 0))
            counts = units["spike_times"].map(len).to_numpy()
            return SpikeTrace(
                t=t, x=x, x_final=x_final, executor=executor, meta=meta,
                spike_i=np.repeat(units["neuron"].to_numpy(), counts).astype(np.int64),
                spike_chain=np.repeat(units["chain"].to_numpy(), counts).astype(np.int64),
                spike_t_ms=np.concatenate([np.asarray(s, dtype=float) for s in units["spike_times"]] or [[]]) * 1e3,
                duration_ms=float(notes.get("duration_ms", 0.0)), N=int(units["neuron"].max()) + 1,
            )  # fmt: skip
        ts = nwb.acquisition["x"]
        return Trace(
            t=np.asarray(ts.timestamps[:]) / tau_s, x=np.asarray(ts.data[:]), x_final=x_final, executor=executor,
            meta=meta,
        )  # fmt: skip
