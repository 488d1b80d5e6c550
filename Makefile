# Two commands set everything up on a fresh machine with Python 3.10+:
#   make run   - serve the API on SQLite with demo data and a printed API key
#   make test  - run the test suite (SQLite, or DATABASE_URL when set)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check

.PHONY: run test lint format migrate worker schema bench bench-import clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.run-deps

.env: | $(PY)
	@$(PY) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@echo "Wrote .env with a random SECRET_KEY."

migrate: $(VENV)/.run-deps .env
	$(PY) manage.py migrate --noinput -v0

run: migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput -v0
	@# The buffering front, gunicorn behind it and the webhook worker, started and stopped
	@# together (contacts_api/serve.py), which prints where they listen and the new key.
	@# make run is a development server: webhooks may go to private addresses unless the
	@# environment says otherwise.
	@KEY=$$($(PY) manage.py create_api_key --name "make run" 2>/dev/null | tail -n 1); \
	WEBHOOKS_ALLOW_PRIVATE_NETWORKS=$${WEBHOOKS_ALLOW_PRIVATE_NETWORKS:-true} $(PY) -m contacts_api.serve --show-key "$$KEY"

worker: migrate
	$(PY) manage.py db_worker

test: $(VENV)/.dev-deps
	$(VENV)/bin/pytest

lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .

format: $(VENV)/.dev-deps
	$(VENV)/bin/ruff format .

# Benchmarks (minutes; never part of `make test`). They need PostgreSQL and Redis.
BENCH_DB ?= contacts_bench
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432
bench: $(VENV)/.dev-deps
	@psql $(BENCH_POSTGRES)/$(BENCH_DB) -tAc "SELECT count(*) FROM accounts_user" >/dev/null 2>&1 \
		|| $(PY) bench/seed_data.py --postgres $(BENCH_POSTGRES) --db $(BENCH_DB)
	$(PY) bench/api_bench.py --postgres $(BENCH_POSTGRES) --db $(BENCH_DB)
	$(PY) bench/writes_bench.py --postgres $(BENCH_POSTGRES) --db $(BENCH_DB)
	$(PY) bench/events_bench.py --postgres $(BENCH_POSTGRES) --db $(BENCH_DB)
	$(PY) bench/faults_bench.py --postgres $(BENCH_POSTGRES)

bench-import: $(VENV)/.dev-deps
	$(PY) bench/import_bench.py

schema: $(VENV)/.run-deps
	$(PY) manage.py spectacular --validate --fail-on-warn --file schema.yaml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
