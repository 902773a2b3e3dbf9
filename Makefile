# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON := $(shell .ci/find-python)
VENV := .venv
STAMP := $(VENV)/.installed
# brian2cuda (the cuda extra) only where the CUDA toolkit is: without nvcc it can neither build nor run
EXTRAS := dev,export,sweep,nwb,docs$(shell command -v nvcc >/dev/null 2>&1 && echo ,cuda)

.PHONY: demo test docs test-cuda-build lint bench clean

$(STAMP): setup.cfg pyproject.toml
	@test -n "$(PYTHON)" || (echo "no Python >= 3.12 found (see .ci/find-python)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e '.[$(EXTRAS)]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/neurochaos demo --out out/demo --overwrite

# pytest-xdist: one worker per core, each with one BLAS/OpenMP thread (two 2-thread torch pools on
# 2 cores spin at their barriers). On the 2-core dev VM: 447 s against 588 s for the plain run.
test: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(VENV)/bin/python -m pytest -q -n auto

# The docs site: Sphinx + MyST-NB, the tutorials executed (cached in docs/_build/.jupyter_cache:
# a notebook runs again only when its code changed), warnings fatal, then the figure check.
docs: $(STAMP)
	$(VENV)/bin/python -m sphinx -j 2 -W --keep-going -b html -q docs docs/_build/html
	$(VENV)/bin/python docs/check_html.py docs/_build/html

test-cuda-build: $(STAMP)
	NEUROCHAOS_TEST_CUDA_BUILD=1 $(VENV)/bin/python -m pytest -q -m cuda_build

lint: $(STAMP)
	.ci/lint

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_rate.py

clean:
	rm -rf $(VENV) out docs/_build docs/api/generated
