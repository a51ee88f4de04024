# Commands of the README. `make run` starts the site with its workers and beat; `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help venv run test lint fmt messages

help:
	@echo "make run    start the site on http://127.0.0.1:$(PORT) with Celery workers and beat (Ctrl-C stops all)"
	@echo "make test   lint, format check, migration check, then the whole test suite"
	@echo "make lint   ruff check"
	@echo "make fmt    ruff format and safe fixes"
	@echo "make mutate mutation testing of the outbox and the access rules (cosmic-ray; 1 to 2 hours, --sample 20: 30 min)"
	@echo "make venv   create .venv and install Python and browser-test tools (run and test do it first)"
	@echo "make messages  compile the translation catalogues (locale/*/LC_MESSAGES/django.po to .mo; run and test do it)"
	@echo "make catalogue bring every catalogue up to date with the marked strings (LANG_NEW=pt_BR starts a new one)"

venv: $(VENV)/.installed node_modules/.package-lock.json

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when a requirements file changed since the last install.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# npm keeps node_modules/.package-lock.json; touched so an unchanged install does not repeat.
node_modules/.package-lock.json: package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

# `make run` reads .env (see .env.example) for every command, so migrate, the demo seeder and the
# processes all see the same database; DEBUG=1 always (a development server). PORT comes from the
# make command line or the environment (`make run PORT=8001`), not from .env. honcho is given the
# environment prepared here and no second copy of .env (-e /dev/null).
DEV_ENV = set -a; if [ -f .env ]; then . ./.env; fi; DEBUG=1; PORT=$(PORT); set +a;

# The .mo files are built from the .po files in the repository, never committed. compilemessages needs
# GNU gettext's msgfmt (Debian/Ubuntu: apt-get install gettext).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null 2>&1 || { echo "msgfmt (GNU gettext) is missing: install it, e.g. 'sudo apt-get install gettext', then run make again." >&2; exit 1; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# Reads the product's sources only (never tests, the benchmark or installed packages), as the catalogue
# test does. New or changed strings come out empty or fuzzy for a translator to finish.
CATALOGUE_IGNORE := -i "node_modules/*" -i "var/*" -i "tests/*" -i "bench/*" -i "staticfiles/*" -i "test-artifacts/*"
.PHONY: catalogue
catalogue: $(VENV)/.installed
	DEBUG=1 $(BIN)/python manage.py makemessages $(if $(LANG_NEW),-l $(LANG_NEW),--all) --no-location --no-obsolete $(CATALOGUE_IGNORE)

run: venv messages
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo
	@echo "Open http://127.0.0.1:$(PORT)"
	@$(DEV_ENV) $(BIN)/python manage.py seed_demo --print-logins
	@echo "E-mails are written to var/mail/ unless EMAIL_URL is set. Ctrl-C stops the web server, the workers and beat."
	@echo
	$(DEV_ENV) exec $(BIN)/honcho start -f Procfile -e /dev/null

# Browser tests (tests/e2e/, marker e2e) run serially after the parallel run of everything else.
# pytest's exit code 5 means "no tests collected": an empty subset is not a failure. The browser tests
# save every page they load in test-artifacts/html/; the Nu HTML checker (npm vnu-jar, Java) then
# checks them all and fails with each error listed.
test: venv messages
	@echo "Database: $$(if [ -n "$${DATABASE_URL:-}" ]; then sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#' <<< "$$DATABASE_URL"; else echo 'SQLite (embedded default)'; fi)"
	@echo "Broker:   $$(if [ -n "$${REDIS_URL:-}" ]; then sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#' <<< "$$REDIS_URL"; else echo 'filesystem transport (embedded default)'; fi)"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -m "not e2e" -n 2 || [ $$? -eq 5 ]
	rm -rf test-artifacts/html
	$(BIN)/pytest -m e2e || [ $$? -eq 5 ]
	$(BIN)/python -m tests.e2e.html_check

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make bench` (README, "Benchmark"): seeds a large practice into PostgreSQL (BENCH_DATABASE_URL), measures
# every main page and the reminder tick, writes bench/results/. SCALE=0.1 for a quick run; BENCH_ARGS for
# more flags (`.venv/bin/python -m bench.run --help`).
SCALE ?= 1
.PHONY: bench
bench: venv
	$(BIN)/python -m bench.run --scale $(SCALE) $(BENCH_ARGS)

# `make mutate` (README, "Mutation testing"): cosmic-ray over the outbox and the access rules, each mutant
# tested by the fast tests that cover it (SQLite). Not part of `make test`. MUTATE_ARGS: group names,
# --list (count only), --jobs N.
# It needs the Python tools only, not node_modules.
.PHONY: mutate
mutate: $(VENV)/.installed
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python -m tests.mutation.run $(MUTATE_ARGS)
