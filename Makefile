# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Python may cache compiled modules even where the environment says not to: the suite
# starts many Python processes, and each would otherwise compile Django and Wagtail again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test check lint install install-dev migrate demo browser-deps frontend-deps clean

## run: set everything up (virtualenv, install, migrate, demo content) and serve on 127.0.0.1:8000
run: install migrate demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: install the test and browser tooling too, and run the whole test suite (the reference site's and the apps' own on a minimal host)
# The two suites run side by side (each prints when it ends): the site's workers wait on
# Chromium and subprocesses often enough to leave a core idle for the apps' suite.
test: install-dev browser-deps frontend-deps
	$(MAKE) --no-print-directory --jobs=2 --output-sync=target test-site test-apps

.PHONY: test-site test-apps
## test-site: the reference site's suite only (honours DATABASE_URL and REDIS_URL)
test-site: install-dev browser-deps frontend-deps
	$(PY) -m pytest -n auto --dist worksteal

## test-apps: the apps' own suite only, on their minimal host (always SQLite and a local cache)
test-apps: install-dev browser-deps frontend-deps
	$(PY) -m pytest tests/apps --ds=tests.apps.settings

.PHONY: test-matrix plugin-proof
## test-matrix: the apps' suite on each supported Django and Python (noxfile.py; python3.11 to 3.13 on PATH)
test-matrix: install-dev browser-deps
	$(VENV)/bin/nox

## plugin-proof: the README's steps in a fresh wagtail start project, on Django 5.2 / Python 3.11 and 6.1 / 3.13
plugin-proof: install-dev
	$(VENV)/bin/nox -s plugin_proof

## check: Django checks, migrations up to date, lint
check: install-dev
	DJANGO_SETTINGS_MODULE=cms_site.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=cms_site.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Serving the site needs the runtime requirements only; tests, lint and benchmarks add requirements-dev.txt.
# --no-compile: Python compiles the modules it imports on first use; compiling every installed
# file up front (botocore alone has thousands) roughly doubled the install time.
install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-compile --disable-pip-version-check -r requirements.txt
	touch $@

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# axe-core for the accessibility checks in the browser tests, and Redocly CLI for the
# OpenAPI lint test (tests/cms_site/test_openapi_lint.py); needs npm.
browser-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: accessibility checks in browser tests and the OpenAPI lint will be skipped"; fi

# TypeScript tooling for the example front end built on the v3 API (examples/frontend).
frontend-deps: examples/frontend/node_modules/.installed

examples/frontend/node_modules/.installed: examples/frontend/package.json examples/frontend/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd examples/frontend && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the example front end's test will be skipped"; fi

migrate: install
	$(PY) manage.py migrate --noinput

demo: install
	$(PY) manage.py load_demo --hostname $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) node_modules examples/frontend/node_modules db.sqlite3 media staticfiles
