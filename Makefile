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

.PHONY: messages run test setup venv translations db content demo test-sqlite test-postgres system-test-deps bench clean

run: setup
	@echo
	@echo "Partner Hub: http://$(HOST):$(PORT)/"
	@$(FLASK) demo logins
	@echo
	BIN=$(BIN) bash scripts/serve.sh --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - "hub:create_app()"

setup: venv translations db content demo

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

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

# Debian's Chromium for the browser tests and PostgreSQL for the second run; skipped when present.
system-test-deps:
	@if ! command -v chromium >/dev/null || ! command -v pg_virtualenv >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium postgresql >/dev/null; \
	fi

test: setup system-test-deps test-sqlite test-postgres

test-sqlite: venv translations
	$(BIN)/pytest

# A throwaway cluster: pg_virtualenv creates it, runs the suite, removes it and passes the exit code on.
test-postgres: venv translations system-test-deps
	pg_virtualenv -o fsync=off bash scripts/pytest-postgres.sh

bench: setup
	$(BIN)/python -m bench.deals

clean:
	rm -rf $(VENV) instance
