# Styrning — `make run` for a local demo, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/styrning
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test install messages services lint clean browser-tools pdf-tools test-database bench

PORT ?= 8000
# `make run` serves the demo as users see it: DEBUG off, static files through whitenoise,
# a key that only a local demo may use (settings refuse it for anything but 127.0.0.1).
RUN_ENV := LOCAL_DEMO=1 DJANGO_RUNSERVER_HIDE_WARNING=true
PIP := $(PY) -m pip --disable-pip-version-check

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || { echo "Skapar $(VENV) …"; $(PYTHON) -m venv $(VENV); }
	@echo "Installerar Python-paketen i $(VENV) …"
	@$(PIP) install -qq -e '.[test]'
	@touch $@

install: $(VENV)/.installed messages

# Compile the Swedish translations (the .mo is committed too, for machines without gettext).
messages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v0; fi

run: install pdf-tools
	@mkdir -p var
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	@# Jobs run in threads of the one web process here: those the last server left behind died with it.
	@$(RUN_ENV) $(PY) manage.py sweep_jobs --server-restarted
	@$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	@$(RUN_ENV) $(PY) manage.py load_demo
	@$(RUN_ENV) $(PY) manage.py demo_logins --port $(PORT)
	@$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Start PostgreSQL and Redis when installed but stopped; fail clearly when missing.
services:
	@command -v pg_isready >/dev/null || { echo "PostgreSQL saknas: installera postgresql (apt-get install postgresql)."; exit 1; }
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  echo "Startar PostgreSQL …"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
	  for i in $$(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done; \
	  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL svarar inte på 127.0.0.1:5432."; exit 1; }; }
	@command -v redis-cli >/dev/null || { echo "Redis saknas: installera redis-server (apt-get install redis-server)."; exit 1; }
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
	  echo "Startar Redis …"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; \
	  for i in $$(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done; \
	  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { echo "Redis svarar inte på 127.0.0.1:6379."; exit 1; }; }

# Debian's Chromium (never a browser download) and axe-core from the npm registry.
browser-tools: node_modules/axe-core/axe.min.js
	@test -x /usr/bin/chromium || { echo "Installerar Chromium från Debian …"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium || { echo "Chromium saknas och kunde inte installeras (apt-get install chromium)."; exit 1; }

# WeasyPrint (the reports' PDFs) needs Pango and a font with Swedish letters: Debian's.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pdf-tools:
	@missing=""; for p in $(PDF_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then echo "Installerar$$missing från Debian …"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || \
	  { echo "Kunde inte installera$$missing (apt-get install$$missing)."; exit 1; }; fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm saknas: installera nodejs och npm (apt-get install npm)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# makemigrations --check compares models with migrations; SQLite in memory needs no server.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run -v0

TEST_DB_NAME := $(lastword $(subst /, ,$(TEST_DATABASE_URL)))
TEST_DB_SERVER := $(patsubst %/$(TEST_DB_NAME),%,$(TEST_DATABASE_URL))
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL)

# The database the tests name must exist, or Django warns while it creates test_<name>.
test-database: services
	@psql -q "$(TEST_DB_SERVER)/postgres" -tAc \
	  "SELECT 1 FROM pg_database WHERE datname = '$(TEST_DB_NAME)'" | grep -q 1 || \
	  psql -q "$(TEST_DB_SERVER)/postgres" -c 'CREATE DATABASE "$(TEST_DB_NAME)"'

# Two stages: the fast tests (Django's test client), then the browser tests (Chromium).
test: install test-database browser-tools pdf-tools lint
	rm -rf test-artifacts
	@# Both stages run, so one run reports every failure; make fails if either did.
	@status=0; \
	echo "== 1/2: snabba tester =="; \
	$(TEST_ENV) $(VENV)/bin/pytest -q --ignore=tests/browser || status=1; \
	echo "== 2/2: webbläsartester =="; \
	$(TEST_ENV) $(VENV)/bin/pytest -q tests/browser || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) var/*.sqlite3 var/static node_modules test-artifacts

# The benchmark (not part of `make test`): builds scale 1 and 10 into styrning_bench_1 and
# styrning_bench_10 (dropped and created again), measures every page of bench/pages.txt beside
# its SQL floor, adding and moving a goal, the SIE import and a gunicorn load run; writes
# bench/results.json and docs/benchmarks.md and prints the table. About 15–25 minutes here.
BENCH_DATABASE_SERVER ?= $(TEST_DB_SERVER)
bench: install services
	BENCH_DATABASE_SERVER=$(BENCH_DATABASE_SERVER) $(PY) -m bench.run
