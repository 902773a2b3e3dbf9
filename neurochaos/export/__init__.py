"""Networks and runs out of the toolkit: NIR graphs (extra ``export``) and NWB files (extra ``nwb``).

Public API::

    from neurochaos.export import export_model, export_nir, network_to_nir, read_nir, nir_to_network, ExportError
    from neurochaos.export import write_nwb, read_nwb, trace_to_nwb
"""

from .nir import CONVENTION, ExportError, export_model, export_nir, network_to_nir, nir_to_network, read_nir
from .nwb import read_nwb, trace_to_nwb, write_nwb

__all__ = [
    "CONVENTION",
    "ExportError",
    "export_model",
    "export_nir",
    "network_to_nir",
    "nir_to_network",
    "read_nir",
    "read_nwb",
    "trace_to_nwb",
    "write_nwb",
]
