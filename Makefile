# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON := $(shell .ci/find-python)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test test-cuda-build lint bench clean

$(STAMP): setup.cfg pyproject.toml
	@test -n "$(PYTHON)" || (echo "no Python >= 3.12 found (see .ci/find-python)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e '.[dev,export,cuda,sweep,nwb]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/neurochaos demo --out out/demo --overwrite

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

test-cuda-build: $(STAMP)
	NEUROCHAOS_TEST_CUDA_BUILD=1 $(VENV)/bin/python -m pytest -q -m cuda_build

lint: $(STAMP)
	.ci/lint

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_rate.py

clean:
	rm -rf $(VENV) out
