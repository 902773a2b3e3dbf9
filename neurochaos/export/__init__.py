"""Networks out of the toolkit: NIR graphs (extra ``export``: ``pip install 'neurochaos[export]'``).

Public API::

    from neurochaos.export import export_model, export_nir, network_to_nir, read_nir, nir_to_network, ExportError
"""

from .nir import CONVENTION, ExportError, export_model, export_nir, network_to_nir, nir_to_network, read_nir

__all__ = ["CONVENTION", "ExportError", "export_model", "export_nir", "network_to_nir", "nir_to_network", "read_nir"]
