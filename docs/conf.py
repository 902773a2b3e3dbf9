"""Sphinx configuration of the neurochaos docs site (``make docs``; warnings are errors there).

Pages are MyST markdown; the tutorials are MyST-NB text notebooks (``docs/tutorials/*.md``), executed
at build time (no outputs are committed); the API reference is generated from the docstrings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The notebooks run in kernels started from this process (two at a time with -j 2): one BLAS/OpenMP
# thread each. On a 2-core machine a 2-thread torch pool beside another busy process spins at its
# barriers: a 64 + 64 unit training step took 5x longer with 2 threads than with 1 (measured here).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import neurochaos  # noqa: E402

project = "neurochaos"
author = "the neurochaos developers"
copyright = "2026, the neurochaos developers"
release = version = neurochaos.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
exclude_patterns = ["_build", "examples", "**/.ipynb_checkpoints"]
root_doc = "index"

# API reference
autosummary_generate = True
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpy-style docstrings state types and units
autodoc_default_options = {}
templates_path = ["_templates"]
autosummary_imported_members = False  # each object is documented once, in the module that defines it
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
# our docstrings write "name : what it is, with units"; no type cross-references are made from that text
napoleon_use_param = False
napoleon_custom_sections = [("Attributes", "params_style")]

# MyST and notebooks
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("NEUROCHAOS_DOCS_EXECUTE", "cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_cache_path = str(ROOT / "docs" / "_build" / ".jupyter_cache")
nb_merge_streams = True

html_theme = "furo"
html_title = f"neurochaos {release}"
