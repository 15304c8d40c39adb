# The two commands of the README: `make run` (the site with demo content) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CORPUS ?= ../shared/data/laws
QA ?= ../shared/bench/lecoqa/qa.jsonl
STAMP := $(VENV)/.installed

.PHONY: install browser run serve test test-postgres lint import-corpus bench-import bench-load clean

# Create .venv when missing and (re)install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Debian's chromium (and CJK fonts for readable screenshots) for the browser tests.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "chromium is missing; install it with: sudo apt-get install chromium fonts-noto-cjk"; \
	    echo "(without it the browser tests are skipped, and fail under CI)"; \
	  fi; \
	fi

# The real site: the whole statute library, the Q&A answers and the demo content (each step only when
# its input changed: manage.py bring_up), then the development server. Without ../shared, the demo alone.
# DEBUG is off (kb.settings.dev): the site's own error pages, static files from WhiteNoise;
# DJANGO_DEBUG=1 make run for Django's debug pages.
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py bring_up --corpus $(CORPUS) --qa $(QA)
	@echo ""
	@echo "Site: http://127.0.0.1:$(PORT)/   Admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "Create an admin account with:  $(BIN)/python manage.py createsuperuser"
	@echo ""
	@# The search worker (index updates, topics, related lists after each save) beside the server, stopped with it.
	export KB_SITE_URL=$${KB_SITE_URL:-http://127.0.0.1:$(PORT)}; \
	$(BIN)/python manage.py search_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production serving: gunicorn on kb.settings.prod, static files from whitenoise, and the search worker
# (manage.py search_worker: index updates after saves; one per site); every gunicorn worker starts
# warm (kb/gunicorn.py loads and warms the application before the port opens).
# Needs DJANGO_SECRET_KEY, ALLOWED_HOSTS and KB_SITE_URL (and DATABASE_URL for PostgreSQL) in the environment;
# KB_HTTPS=0 when serving plain HTTP without a TLS proxy in front (no secure cookies, no HSTS).
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "DJANGO_SECRET_KEY is not set: export a long random secret, e.g."; \
	  echo "  export DJANGO_SECRET_KEY=\$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"; exit 1; }
	@test -n "$$ALLOWED_HOSTS" || { echo "ALLOWED_HOSTS is not set: the site's host names, comma-separated."; exit 1; }
	@test -n "$$KB_SITE_URL" || { echo "KB_SITE_URL is not set: the site's public address, e.g. https://kb.example.com"; \
	  echo "(links in pages and the kept pages' keys come from it, never from a request's Host header)"; exit 1; }
	DJANGO_SETTINGS_MODULE=kb.settings.prod $(BIN)/python manage.py migrate --no-input
	DJANGO_SETTINGS_MODULE=kb.settings.prod $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	export DJANGO_SETTINGS_MODULE=kb.settings.prod; \
	$(BIN)/python manage.py search_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn kb.wsgi:application --config kb/gunicorn.py \
	  --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - --graceful-timeout 20

test: install browser
	scripts/ensure-redis
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	REDIS_URL= $(BIN)/python -m pytest

# The same suite on PostgreSQL and Redis, as production runs (scripts/ensure-postgres and
# scripts/ensure-redis start them where none runs). Redis database 15: the tests empty it.
PG_URL ?= postgres://postgres@127.0.0.1:5432/kb
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
test-postgres: install browser
	scripts/ensure-postgres
	scripts/ensure-redis
	DATABASE_URL=$(PG_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

import-corpus: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py import_statutes $(CORPUS)

bench-import: install
	$(BIN)/python bench/import_statutes.py --corpus $(CORPUS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
