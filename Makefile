# Homeward: `make run` to try it, `make test` to prove it. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/homeward_test
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres test-e2e lint typecheck contracts check bench clean install validator

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The DfE's SSDA903 validation rules in a virtual environment of their own (.venv-903, kept
# between runs; the tests call it to check the SSDA903 Missing export).
validator:
	./scripts/ssda903-validator-venv

run: $(STAMP)
	$(BIN)/homeward run --port $(PORT)

# The whole suite: lint, types, import contracts, then the tests on SQLite and on PostgreSQL.
# The PostgreSQL pass leaves out the tests that never use the Django database (the pure
# protocol engine, the subprocess tests that make SQLite databases of their own): they ran on
# SQLite just before and would run the same again.
test: $(STAMP) check test-sqlite
	$(MAKE) test-postgres PG_PYTEST_ARGS=--only-database-tests

test-sqlite: $(STAMP) validator
	./scripts/ensure-chromium
	./scripts/ensure-dovecot
	DATABASE_URL= $(BIN)/pytest -q -n 2 --dist loadfile --durations=15

test-postgres: $(STAMP) validator
	./scripts/ensure-postgres
	./scripts/ensure-chromium
	./scripts/ensure-dovecot
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 --dist loadfile --durations=15 $(PG_PYTEST_ARGS)

# The browser journeys alone (headless system Chromium, axe-core on every page).
test-e2e: $(STAMP)
	./scripts/ensure-chromium
	DATABASE_URL= $(BIN)/pytest -q -m e2e tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check homeward config tests conftest.py bench
	$(BIN)/ruff format --check homeward/protocol

typecheck: $(STAMP)
	$(BIN)/mypy homeward config bench

contracts: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck contracts

# The national-scale benchmark (README, Benchmark): BENCH_SCALE=10k (default), 100k, 1m or 10k,1m.
bench: $(STAMP)
	./scripts/ensure-postgres
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
