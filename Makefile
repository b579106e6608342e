# Kura: `make run` serves the app, `make test` runs the checks, `make setup` prepares the app
# (requirements.txt); the checks and benchmarks add their own packages (requirements-dev.txt).
VENV    ?= .venv
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app wsgi
PORT    ?= 8000
HOST    ?= 127.0.0.1
WORKERS ?= 2
PYTHON  ?= python3

.PHONY: setup bytecode run jobs test lint system-packages test-sqlite test-postgresql translations translations-update bench clean

setup: $(VENV)/.installed translations bytecode
	$(FLASK) db upgrade

# Kura's own modules compiled once, as pip does for the installed packages: where the environment
# sets PYTHONDONTWRITEBYTECODE, every command would otherwise compile them again as it starts
bytecode: $(VENV)/.installed
	$(PY) -m compileall -q app importers exporters labels bench wsgi.py

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# pytest, ruff, import-linter and the tests' helpers: for `make test`, `make lint` and `make bench`,
# never installed by `make setup` or `make run` (a server needs none of them)
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# compiled catalogues are build output: made from the committed .po files
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile --use-fuzzy -d app/translations

# after marking or changing strings: re-extract the template and merge it into every catalogue
# (then translate the new empty msgstr entries in app/translations/ja/LC_MESSAGES/messages.po)
translations-update: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot \
		--no-location --sort-output --project Kura .
	$(VENV)/bin/pybabel update -d app/translations -i app/translations/messages.pot --no-fuzzy-matching

run: setup
	$(FLASK) seed-demo --if-empty
	@echo ""
	@echo "  Kura is at http://$(HOST):$(PORT)/   (stop with Ctrl-C)"
	@echo "  Demo logins (password kura-demo-2026): admin@kura.example, manager@kura.example,"
	@echo "  clerk@kura.example, packer@kura.example"
	@echo ""
	@# the background-job consumer (large imports) runs beside the web server and stops with it, logging to
	@# jobs.log in the instance folder (rotated by size); gunicorn's workers log to the terminal, one JSON line
	@# a request (no gunicorn access log: it would write the query strings, searches included). gunicorn.conf.py
	@# (read from here) sets up /metrics for several workers. gunicorn's usual 30 s for a request: a large
	@# upload is previewed and imported by the consumer, not in the request
	KURA_LOG_FILE=$${KURA_INSTANCE_PATH:-instance}/jobs.log $(VENV)/bin/huey_consumer app.worker.huey --workers 1 & consumer=$$!; \
	  trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn --workers $(WORKERS) --timeout 30 --bind $(HOST):$(PORT) wsgi:app

jobs: setup
	$(VENV)/bin/huey_consumer app.worker.huey --workers 1

# ruff, then the layer rules of .importlinter (docs/architecture.md#layer-rules)
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo --no-cache

test: setup lint test-sqlite test-postgresql

# PostgreSQL server binaries, a Japanese font for the PDFs, Chromium for the browser tests
system-packages:
	.ci/ensure-system-packages

test-sqlite: $(VENV)/.installed-dev translations system-packages
	KURA_TEST_DB=sqlite $(PY) -m pytest $(PYTEST_ARGS)

test-postgresql: $(VENV)/.installed-dev translations system-packages
	KURA_TEST_DB=postgresql $(PY) -m pytest $(PYTEST_ARGS)

# bench/station_feedback.py drives Chromium with playwright, from requirements-dev.txt
bench: setup $(VENV)/.installed-dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
