# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each step runs only when its inputs changed (stamp files under .make/).

VENV      ?= .venv
PYTHON    ?= python3
BIN       := $(VENV)/bin
STAMPS    := .make
CONSOLE   := helpline/console_dist/index.html
WEB_SRC   := $(shell find web/src web/public web/scripts web/index.html web/openapi.json web/vite.config.ts web/tsconfig*.json -type f 2>/dev/null)

.PHONY: install run test test-python lint bench build system-deps clean

install: $(STAMPS)/python $(CONSOLE)

$(STAMPS)/python: pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

$(STAMPS)/web: web/package.json web/package-lock.json
	@mkdir -p $(STAMPS)
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CONSOLE): $(STAMPS)/web $(WEB_SRC)
	cd web && npm run build

build: $(CONSOLE)

# The desk on its embedded default: SQLite, sandbox provider, admin test / Test1234!
run: install
	$(BIN)/helpline demo

# Chromium for the browser tests (Debian's package; test tools never download browsers).
system-deps:
	@scripts/system-deps.sh

test: install system-deps lint test-python

test-python:
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check helpline tests bench
	$(BIN)/ruff format --check helpline tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	scripts/check-openapi.sh
	cd web && npm run lint && npm run typecheck

bench: install
	$(BIN)/python -m bench.ingest

clean:
	rm -rf $(STAMPS) helpline/console_dist web/node_modules
