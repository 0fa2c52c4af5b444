# Every target sets itself up: a .venv is created on first use and the project is
# installed into it once; a stamp file records the install so a re-run with an unchanged
# pyproject.toml installs nothing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
OUT ?= reports

.PHONY: test test-all report lint format bench clean

# The suite runs in worker processes, one per core (at most 4), each taking whole test files
# so that a file's shared fixtures (a compiled model, a tiny study run) are built once.
PYTEST_WORKERS := -n auto --maxprocesses=4 --dist loadfile

test: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_WORKERS)

test-all: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_WORKERS) -m ""

# Every case (full draws) and every study (quick) as one run, so both workers take cases
# and studies alike; unchanged ones are read back from the result cache.
report: $(RUN_STAMP)
	$(BIN)/python -m compare report --out $(OUT)

lint: $(DEV_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/bench_em.py
	$(BIN)/python benchmarks/bench_models.py

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
	  echo "error: Python >= 3.12 is required, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "       Install Python 3.12+ and run e.g. 'make PYTHON=python3.12 $(MAKECMDGOALS)'." >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
