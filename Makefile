# certsim: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The project's own modules, byte-compiled ahead as pip does an installed package's: where
# PYTHONDONTWRITEBYTECODE is set (many containers, this CI) Python would otherwise compile
# every module again in every process it starts (~0.5 s of a cold `make replay`).
PACKAGES := shared mem_portal national_portal sync scenarios certsim bench
COMPILED := $(VENV)/.compiled

.PHONY: run test lint unit bench replay migrate seed clean fuzz-api openapi

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "certsim needs Python >= 3.11 (set PYTHON=python3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

$(COMPILED): $(STAMP) $(shell find $(PACKAGES) -name '*.py' 2>/dev/null)
	@$(PY) -m compileall -q $(PACKAGES) >/dev/null && touch $@

run: $(COMPILED)
	$(PY) -m certsim run

test: lint $(COMPILED)
	$(PY) -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

unit: $(COMPILED)
	$(PY) -m pytest -q tests/unit

fuzz-api: $(COMPILED)
	CERTSIM_FUZZ_EXAMPLES=$${CERTSIM_FUZZ_EXAMPLES:-300} $(PY) -m pytest -q -p no:cacheprovider tests/contract/test_fuzz_api.py

openapi: $(COMPILED)
	$(PY) -m certsim openapi --out docs/openapi

bench: $(COMPILED)
	$(PY) -m bench

replay: $(COMPILED)
	$(PY) -m scenarios run scenarios/library

migrate: $(COMPILED)
	$(PY) -m certsim migrate

seed: $(COMPILED)
	$(PY) -m certsim seed-demo

clean:
	rm -rf var .pytest_cache .ruff_cache build *.egg-info reports $(COMPILED)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
