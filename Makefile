# Clinic Intake. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

.PHONY: run test install lint typecheck migrate serve bench load schemathesis chromium clean-db

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## run: the app with demo data at http://127.0.0.1:8000 (embedded PostgreSQL unless DATABASE_URL is set)
## and the background task worker beside it
run: install
	$(PY) manage.py migrate --noinput
	@# The app serves as a role that owns nothing (docs/security.md): made on the embedded
	@# server, or named by DB_APP_ROLE on your own.
	@if [ -z "$$DATABASE_URL" ] || [ -n "$$DB_APP_ROLE" ]; then $(PY) manage.py db_roles; fi
	$(PY) manage.py seed_demo
	@# The task worker (the outcome summary's refresh, docs/clinical-rules.md#outcomes-summary)
	@# runs beside the server and stops with it.
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:8000

## test: the whole suite, browser tests included (installs Debian's chromium and poppler-utils
## if missing)
test: install chromium
	$(PY) -m pytest

## serve: gunicorn (gunicorn.conf.py) on production settings, after collectstatic. Needs the
## production environment (.env.example): DJANGO_SECRET_KEY, DATABASE_URL, DJANGO_ALLOWED_HOSTS...
serve: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-clinic.settings.production} $(PY) manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-clinic.settings.production} $(VENV)/bin/gunicorn -c gunicorn.conf.py clinic.wsgi

## bench: load BENCH_PATIENTS (default 100000) fictional patients into their own database once,
## serve them with gunicorn on 127.0.0.1 and measure the key pages (bench/README.md)
bench: install
	$(PY) -m bench.run --patients $${BENCH_PATIENTS:-100000}

## load: 16 concurrent API writers for 60 s against gunicorn on loopback, on a fresh database;
## fails on any 5xx, a lost write or an audit chain not sealed and intact (bench/load.py)
load: install
	$(PY) -m bench.load --clients $${LOAD_CLIENTS:-16} --seconds $${LOAD_SECONDS:-60}

## schemathesis: every API operation against gunicorn on loopback, on a fresh database, at
## SCHEMATHESIS_EXAMPLES (default 50) per operation; fails on any 5xx, undocumented status code
## or answer the schema does not describe (bench/schemathesis_run.py)
schemathesis: install
	$(PY) -m bench.schemathesis_run --examples $${SCHEMATHESIS_EXAMPLES:-50}

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@# The PDF tests read the plan PDF's text with poppler's pdftotext.
	@command -v pdftotext >/dev/null 2>&1 || { \
		echo "Installing Debian's poppler-utils for the PDF tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

## migrate: apply the migrations (as the database owner: manage.py picks it) to the embedded
## PostgreSQL, or to DATABASE_URL when set
migrate: install
	$(PY) manage.py migrate --noinput

## clean-db: remove the embedded PostgreSQL's data under var/ (stop `make run` first); the next
## `make run` starts from an empty database. Never touches a DATABASE_URL server.
clean-db:
	@if [ -n "$$DATABASE_URL" ]; then echo "DATABASE_URL is set: clean-db only removes the embedded database in var/"; exit 1; fi
	rm -rf var/pg var/pg-app-role

lint: install
	$(VENV)/bin/ruff check .

## typecheck: mypy (django-stubs plugin, settings in pyproject.toml) over the modules held to full
## type annotations
TYPED := intake/access.py intake/access_drafts.py intake/access_matrix.py intake/access_scope.py intake/access_staff.py \
	intake/access_vocabulary.py intake/access_worklist.py intake/scoring intake/labs \
	intake/selectors intake/services
typecheck: install
	$(VENV)/bin/mypy $(TYPED)
