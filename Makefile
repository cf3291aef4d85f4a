# Threadline ERP. Quick start: `make run`, `make test`.
# With no DATABASE_URL / REDIS_URL set, embedded PostgreSQL and Redis start under ./var.

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test bench loadtest lint format migrate stop install browser clean worker beat

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

## run: install, migrate, load demo data, create the admin user, serve on 127.0.0.1:$(PORT)
run: migrate
	$(PY) manage.py generate_data --scale small
	$(PY) manage.py ensure_admin
	@echo "Serving on http://127.0.0.1:$(PORT)/admin/ (API: /api/v1/, docs: /api/docs/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## worker / beat: a Celery worker on every queue and the scheduler, for `CELERY_TASK_ALWAYS_EAGER=false make run`
worker: install
	CELERY_TASK_ALWAYS_EAGER=false DB_STATEMENT_TIMEOUT_MS=$${DB_STATEMENT_TIMEOUT_MS:-0} \
	$(VENV)/bin/celery -A erp worker --queues=critical,high,default,low --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A erp beat --loglevel=INFO

## test: the whole pytest suite (browser tests need Chromium: `make browser` installs it)
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## bench: build (or reuse) the large data set in its own database and time every endpoint;
## writes var/bench/report.json and the table in docs/PERFORMANCE.md. BENCH_DATABASE_URL picks the database.
bench: install
	DJANGO_DEBUG=false SILK_ENABLED=false RATELIMIT_API_USER=1000000/m RATELIMIT_EXPENSIVE=1000000/m \
	DATABASE_URL="$${BENCH_DATABASE_URL:-$$($(PY) -m erp.embedded url threadline_bench)}" \
	$(PY) manage.py bench $(BENCH_ARGS)

## loadtest: simulated staff (Locust) against gunicorn with production settings on 127.0.0.1, on the
## bench's large data set (LOADTEST_DATABASE_URL or BENCH_DATABASE_URL picks another). USERS for DURATION
## seconds after ramp-up, or STEP=100 to add 100 users a step until p95 passes 200 ms or errors appear.
## Writes var/loadtest/ and a table in docs/PERFORMANCE.md.
USERS ?= 250
DURATION ?= 300
loadtest: install
	$(PY) -m pip install --quiet -r requirements/loadtest.txt
	DJANGO_DEBUG=false SILK_ENABLED=false \
	DATABASE_URL="$${LOADTEST_DATABASE_URL:-$${BENCH_DATABASE_URL:-$$($(PY) -m erp.embedded url threadline_bench)}}" \
	$(PY) manage.py loadtest --users $(USERS) --duration $(DURATION) $(if $(STEP),--step $(STEP)) $(LOADTEST_ARGS)

## browser: Debian's Chromium for the headless browser tests (needs root or sudo)
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## stop: stop the embedded PostgreSQL and Redis
stop: install
	$(PY) -m erp.embedded stop

clean: stop
	rm -rf var $(VENV)
