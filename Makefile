# certsim: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint unit bench replay migrate seed clean fuzz-api openapi

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "certsim needs Python >= 3.11 (set PYTHON=python3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	$(PY) -m certsim run

test: lint
	$(PY) -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

fuzz-api: $(STAMP)
	CERTSIM_FUZZ_EXAMPLES=$${CERTSIM_FUZZ_EXAMPLES:-300} $(PY) -m pytest -q -p no:cacheprovider tests/contract/test_fuzz_api.py

openapi: $(STAMP)
	$(PY) -m certsim openapi --out docs/openapi

bench: $(STAMP)
	$(PY) -m bench

replay: $(STAMP)
	$(PY) -m scenarios run scenarios/library

migrate: $(STAMP)
	$(PY) -m certsim migrate

seed: $(STAMP)
	$(PY) -m certsim seed-demo

clean:
	rm -rf var .pytest_cache .ruff_cache build *.egg-info reports
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
