# The two commands of the README: `make run` (the site with demo content) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CORPUS ?= ../shared/data/laws
STAMP := $(VENV)/.installed

.PHONY: install browser run test lint import-corpus bench-import clean

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

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py rebuild_index --noinput --verbosity 0
	@echo ""
	@echo "Site: http://127.0.0.1:$(PORT)/   Admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "Create an admin account with:  $(BIN)/python manage.py createsuperuser"
	@echo "Import the whole statute corpus with:  make import-corpus"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

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
