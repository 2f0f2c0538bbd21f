# Two entry points for a fresh clone (see README.md):
#   make serve   install what the site needs (no PyTorch) and serve it on http://127.0.0.1:8000
#   make test    install everything (engine extra, browser) and run every check and test
# Both are idempotent: stamps make a second run skip the installs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
CONSTRAINTS := constraints.txt
export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: serve build build-check test lint typecheck check unit browser-deps site-deps dev-deps clean help

help:
	@echo "make serve  - install the site's needs (no torch) and serve on 127.0.0.1:8000"
	@echo "make test   - install everything and run lint, types, checks and all tests"
	@echo "make build  - build the site into site/ with --strict"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Site: the package and its runtime deps only (no torch).
$(VENV)/.site-stamp: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -q -c $(CONSTRAINTS) -e .
	@touch $@

# Everything: engine extra (torch pinned by constraints.txt) and dev tools.
$(VENV)/.dev-stamp: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install -q -c $(CONSTRAINTS) -e '.[engine,dev]'
	@touch $@ $(VENV)/.site-stamp

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

site-deps: $(VENV)/.site-stamp node_modules/.stamp
dev-deps: $(VENV)/.dev-stamp node_modules/.stamp browser-deps

# Debian's chromium drives the browser tests (never `playwright install`).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Browser tests need Debian's chromium. Run: sudo apt-get install -y chromium" >&2; exit 1; \
	fi

serve: site-deps
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: site-deps
	$(BIN)/mkdocs build --strict

lint: $(VENV)/.dev-stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-stamp
	$(BIN)/mypy

check: $(VENV)/.site-stamp
	$(BIN)/glossary check --strict

unit: dev-deps
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# A strict build of the real site into a temporary folder, removed afterwards whatever the outcome.
build-check:
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && $(BIN)/mkdocs build --strict --site-dir "$$d"

test: dev-deps
	$(MAKE) --no-print-directory lint typecheck check
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)
	$(MAKE) --no-print-directory build-check

clean:
	rm -rf site build .mypy_cache .ruff_cache .pytest_cache
