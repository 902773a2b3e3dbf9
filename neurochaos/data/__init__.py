"""Datasets: IDX reader, named sources (MNIST, Fashion-MNIST, mnist5k, digits), encodings.

Public API::

    from neurochaos.data import load_dataset, Dataset, read_idx, SOURCES
"""

from .idx import find_idx_files, read_idx
from .sources import ENCODINGS, SOURCES, Dataset, default_directory, encode, load_dataset

__all__ = [
    "SOURCES",
    "ENCODINGS",
    "Dataset",
    "load_dataset",
    "encode",
    "default_directory",
    "read_idx",
    "find_idx_files",
]
