# Partner Hub. Two commands for a fresh machine: `make run` and `make test` (see README.md).
# `make run` serves with gunicorn and starts the domain-event worker beside it (scripts/serve.sh).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app hub
HOST ?= $(or $(HUB_HOST),127.0.0.1)
PORT ?= $(or $(HUB_PORT),5000)
WORKERS ?= $(or $(HUB_WORKERS),3)
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo )apt-get
# uv and pip-audit live in their own virtual environment, never in the hub's.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
LOCK := requirements.lock
TOOLS_LOCK := requirements-tools.lock
# Two pytest workers (pytest-xdist): the machines have 2 cores. `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?= -n $(PYTEST_WORKERS)

.PHONY: messages run test setup venv tools lock audit translations db content demo test-sqlite test-postgres system-deps system-test-deps bench bench-deps bench-pages clean

run: setup
	@echo
	@echo "Partner Hub: http://$(HOST):$(PORT)/"
	@$(FLASK) demo logins
	@echo
	BIN=$(BIN) bash scripts/serve.sh --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - "hub:create_app()"

setup: venv translations db content demo

$(BIN)/python:
	$(PY) -m venv $(VENV)

# The tools, with pip in hash-checking mode from their own lock.
$(TOOLS)/.installed: $(TOOLS_LOCK)
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes --no-deps --only-binary :all: -r $(TOOLS_LOCK)
	touch $@

tools: $(TOOLS)/.installed

# Exactly the lock, hashes checked (`uv pip sync` also removes whatever the lock does not list);
# again only when the lock changes. The code runs from the checkout: nothing else is installed.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python $(TOOLS)/.installed
	@$(PY) scripts/check_lock.py
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes $(LOCK)
	touch $@

venv: system-deps $(VENV)/.installed

# What WeasyPrint (the co-branded PDFs, SPEC M2) loads at run time: Pango and HarfBuzz, and fonts
# with Cyrillic that it embeds in every PDF; from Debian's packages, skipped when present.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-liberation2
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' \
		|| ! command -v fc-list >/dev/null || ! fc-list 2>/dev/null | grep -qi 'DejaVuSans'; then \
		$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $(PDF_DEBS) >/dev/null; \
	fi

# After changing a pin in pyproject.toml (or requirements-tools.in): re-resolve both locks, with
# hashes, for every platform, then commit them. This is the only step that chooses versions.
lock: tools
	$(UV) pip compile pyproject.toml --extra test --generate-hashes --universal --python-version 3.11 --quiet -o $(LOCK)
	$(UV) pip compile requirements-tools.in --generate-hashes --universal --python-version 3.11 --quiet -o $(TOOLS_LOCK)

# Known vulnerabilities in the locked packages (skipped, saying so, where PyPI's JSON API is out of reach).
audit: tools
	TOOLS=$(TOOLS) bash scripts/audit.sh

translations: venv
	$(BIN)/pybabel --quiet compile -d translations

# After adding or changing user-facing strings: extract, merge into ru/en, list what needs Russian.
messages: venv
	$(BIN)/python scripts/i18n.py update

db: venv
	$(FLASK) db upgrade

content: db
	$(FLASK) content load

demo: content
	$(FLASK) demo

# Debian's Chromium for the browser tests, PostgreSQL for the second run and poppler-utils (pdftotext,
# pdffonts: the co-branded PDF tests read the text and fonts back); skipped when present.
system-test-deps: system-deps
	@if ! command -v chromium >/dev/null || ! command -v pg_virtualenv >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| ! command -v pdftotext >/dev/null || ! command -v pdffonts >/dev/null; then \
		$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium postgresql poppler-utils >/dev/null; \
	fi

test: setup system-test-deps audit test-sqlite test-postgres

test-sqlite: venv translations
	$(BIN)/pytest $(PYTEST_ARGS)

# A throwaway cluster: pg_virtualenv creates it, runs the suite, removes it and passes the exit code on;
# -t keeps it in a temporary directory even as root, so that two runs on one machine do not collide.
test-postgres: venv translations system-test-deps
	pg_virtualenv -t -o fsync=off bash scripts/pytest-postgres.sh $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench.deals

# wrk (HTTP load generator) from Debian's packages for bench/pages.py; skipped when present.
bench-deps: system-test-deps
	@if ! command -v wrk >/dev/null; then \
		$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq wrk >/dev/null; \
	fi

# Page speed under gunicorn -w 2 against a bare Flask hello, on the large data set: SQLite, then
# PostgreSQL on a throwaway cluster. BENCH_ARGS="--duration 4" or "--small" for a quicker run.
bench-pages: venv translations bench-deps
	$(BIN)/python -m bench.pages $(BENCH_ARGS)
	pg_virtualenv -t -o fsync=off bash bench/postgres-pages.sh $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) instance
