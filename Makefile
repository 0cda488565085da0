# The two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: install install-dev run test test-sqlite test-postgres lint smoke bench demo-corpus

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip

# Stamps make a second `make run` skip pip when pyproject.toml has not changed.
# PYTHONWARNINGS=ignore: setuptools' notes on editable installs are for packagers, not users.
PIP_INSTALL := PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --disable-pip-version-check

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/dailypapers migrate --no-input --verbosity 0
	$(BIN)/dailypapers demo --if-empty
	$(BIN)/dailypapers serve --port $(PORT)

# Every test runs on SQLite, then again on PostgreSQL when TEST_POSTGRES_URL is set (CI sets it).
test: install-dev lint
	$(MAKE) test-sqlite
	@if [ -n "$$TEST_POSTGRES_URL" ]; then $(MAKE) test-postgres; else echo "TEST_POSTGRES_URL unset: PostgreSQL run skipped"; fi

test-sqlite:
	env -u DATABASE_URL DAILYPAPERS_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -q

test-postgres:
	DATABASE_URL=$$TEST_POSTGRES_URL DAILYPAPERS_DATA_DIR=$(CURDIR)/var/test-pg $(BIN)/pytest -q

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# `make run` as a fresh machine meets it: runtime dependencies only, in a venv of its own.
smoke:
	bash tests/smoke/run.sh

bench: install-dev
	$(BIN)/python bench/feed_latency.py

demo-corpus: install
	$(BIN)/python -m dailypapers.demo.build ../shared/data/hf_daily_papers
