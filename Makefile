# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint install migrate demo browser-deps clean

## run: set everything up (virtualenv, install, migrate, demo content) and serve on 127.0.0.1:8000
run: install migrate demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: install and run the whole test suite (the reference site's, then the apps' own on a minimal host)
test: install browser-deps
	$(PY) -m pytest
	$(PY) -m pytest tests/apps --ds=tests.apps.settings

## check: Django checks, migrations up to date, lint
check: install
	DJANGO_SETTINGS_MODULE=cms_site.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=cms_site.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# axe-core for the accessibility checks in the browser tests (needs npm).
browser-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: accessibility checks in browser tests will be skipped"; fi

migrate: install
	$(PY) manage.py migrate --noinput

demo: install
	$(PY) manage.py load_demo --hostname $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 media staticfiles
