# workbridge — two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
PG_ADMIN_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run serve dev test test-pg lint install setup-db clean-indexes

$(PY):
	python3 -m venv $(VENV)

# torch is pinned to the CPU build that lies on local disk (anything else pulls gigabytes).
$(STAMP): setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

setup-db: install
	$(VENV)/bin/workbridge db upgrade
	$(VENV)/bin/workbridge demo seed
	$(VENV)/bin/workbridge index build

## make run: install, migrate, seed the demo city if empty, build indexes, serve on :5000
run: setup-db serve

# gunicorn imports the app factory in each worker (no --preload): the encoder and FAISS
# indexes load after fork, never in the parent.
serve: install
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - \
		'web:create_app()'

dev: setup-db
	$(VENV)/bin/flask --app 'web:create_app()' run --debug --host $(HOST) --port $(PORT)

## make test: install what the tests need and run the whole suite (SQLite)
test: install
	$(VENV)/bin/pytest

## the database tests again, against PostgreSQL (databases created and dropped per test)
test-pg: install
	WORKBRIDGE_TEST_PG_URL=$(PG_ADMIN_URL) $(VENV)/bin/pytest -m db

lint: install
	$(VENV)/bin/ruff check matcher web migrations scripts tests
	$(VENV)/bin/mypy

clean-indexes:
	rm -f indexes/*.faiss indexes/*.json indexes/*.tmp
