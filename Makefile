# Certeef — the two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOAD_STAMP := $(VENV)/.installed-load

# The first interpreter that runs and is Python >= 3.12 (Django 6.1 needs it); PYTHON=… overrides.
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 /usr/bin/python3.13 /usr/bin/python3.12 \
	$(wildcard $(shell pyenv root 2>/dev/null)/versions/3.13*/bin/python3) \
	$(wildcard $(shell pyenv root 2>/dev/null)/versions/3.12*/bin/python3) python3

find_python = $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell $(p) -c 'import sys; print("$(p)") if sys.version_info >= (3, 12) else None' 2>/dev/null)))

# Local development defaults; production sets these itself (see README).
export DJANGO_DEBUG ?= 1

CATALOGUE := locale/fr/LC_MESSAGES/django

.PHONY: run test bench load install lint format clean messages system-packages

$(STAMP): pyproject.toml
	@py="$(find_python)"; \
	if [ -z "$$py" ]; then \
		echo "Certeef needs Python 3.12 or newer, and none was found." >&2; \
		echo "Install one (e.g. python3.13) or run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.13" >&2; \
		exit 1; \
	fi; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(BIN)/python ] || $$py -m venv $(VENV) || exit 1; \
	$(BIN)/python -m pip install --quiet --upgrade pip && \
	$(BIN)/python -m pip install --quiet -e '.[dev]' && touch $(STAMP)

# The compiled catalogue is build output (not committed): made from the .po with polib.
$(CATALOGUE).mo: $(CATALOGUE).po $(STAMP)
	$(BIN)/python scripts/catalogue.py compile

install: $(STAMP) $(CATALOGUE).mo

# Gather the strings marked for translation into the French catalogue (needs xgettext: Debian's
# gettext package), then translate every new entry (README, "Adding a string").
messages: $(STAMP)
	$(BIN)/python scripts/catalogue.py messages

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo "E-mails (password reset) are not sent in development: they appear in this terminal."
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Chromium, Pango, fonts and gettext: installed when this user can (root), else the exact command.
system-packages:
	@scripts/system_packages.sh

test: install system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# SCALES="4000 40000 400000": the growth table, one database per scale (bench/README.md).
bench: install
	$(BIN)/python -m bench $(if $(SCALES),--scales $(SCALES))

# Many administrators at once against gunicorn, on a PostgreSQL database of its own:
# make load DATABASE_URL=postgres://postgres@127.0.0.1:5432/certeef_load [LOAD_ARGS="--users 30"]
$(LOAD_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[load]' && touch $(LOAD_STAMP)

load: install $(LOAD_STAMP)
	$(BIN)/python -m bench.load $(LOAD_ARGS)

lint: install system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/catalogue.py check
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
