# Two entry points for a fresh machine, each doing its own set-up:
#   make demo   triage a bundled example
#   make test   lint, type-check, import contracts, tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXAMPLE ?= examples/model-missing-crashloop

.PHONY: demo test lint system-deps migrations-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pagetrail triage $(EXAMPLE)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Tests run the real servers users run: Prometheus (and promtool to load it), Alertmanager and Chromium,
# from Debian's packages; PostgreSQL is expected on 127.0.0.1:5432 (trust auth, database `test`).
SYSTEM_PACKAGES := prometheus prometheus-alertmanager chromium
system-deps:
	@command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v prometheus-alertmanager >/dev/null \
	  && command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }

# No model change ships without its migration (seed 004): upgrade a fresh SQLite file and a fresh
# PostgreSQL database to head, then `alembic check` must find nothing left to generate.
PG_CHECK_DB := pagetrail_alembic_check_$(shell echo $$$$)
migrations-check: $(STAMP)
	@tmp=$$(mktemp -d); url=sqlite:///$$tmp/check.db; \
	  PAGETRAIL_DATABASE_URL=$$url $(BIN)/alembic -q upgrade head && PAGETRAIL_DATABASE_URL=$$url $(BIN)/alembic check; \
	  status=$$?; rm -rf $$tmp; exit $$status
	@createdb -h 127.0.0.1 -U postgres $(PG_CHECK_DB); url=postgresql+psycopg://postgres@127.0.0.1:5432/$(PG_CHECK_DB); \
	  PAGETRAIL_DATABASE_URL=$$url $(BIN)/alembic -q upgrade head && PAGETRAIL_DATABASE_URL=$$url $(BIN)/alembic check; \
	  status=$$?; dropdb -h 127.0.0.1 -U postgres $(PG_CHECK_DB); exit $$status

test: lint system-deps migrations-check
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/triage_scale.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
