#!/usr/bin/env bash
# Proof that the plugin installs into a Wagtail site it has never seen: build the wheel,
# `wagtail start` a fresh project, install the wheel into a clean virtualenv beside it,
# apply the README's "Add it to your Wagtail site" lines (read from the README by their
# markers), migrate, then drive the site through Django's test client
# (.ci/plugin_proof.py). Any failing step stops the script with its error.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/plugin-proof.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n==> plugin proof: %s\n' "$*"; }

step "Compiling translations and building the wheel"
(cd "$REPO/treatment_pages" && "$REPO/.venv/bin/django-admin" compilemessages -v 0)
(cd "$REPO/lead_forms" && "$REPO/.venv/bin/django-admin" compilemessages -v 0)
"$REPO/.venv/bin/pip" wheel "$REPO" --no-deps --quiet --disable-pip-version-check -w "$WORK/dist"
rm -rf "$REPO/build"  # setuptools' scratch folder
WHEEL="$(ls "$WORK"/dist/*.whl)"
"$REPO/.venv/bin/python" "$REPO/.ci/plugin_proof.py" check-wheel "$WHEEL"

step "Clean virtualenv with the wheel (versions from requirements.txt)"
"$PYTHON" -m venv "$WORK/venv"
# Constraints may not carry extras ("psycopg[binary]"): the same pins without them.
sed 's/\[[^]]*\]//' "$REPO/requirements.txt" > "$WORK/constraints.txt"
export PIP_CONSTRAINT="$WORK/constraints.txt" PIP_DISABLE_PIP_VERSION_CHECK=1
# The README's install line, with the package name pointing at the wheel just built.
INSTALL="$("$REPO/.venv/bin/python" "$REPO/.ci/plugin_proof.py" readme-block install)"
eval "${INSTALL/pip install wagtail-clinic/\"$WORK/venv/bin/pip\" install --quiet \"$WHEEL\"}"
"$WORK/venv/bin/pip" show wagtail-clinic >/dev/null

step "Fresh project from Wagtail's own template"
(cd "$WORK" && "$WORK/venv/bin/wagtail" start hostsite)
"$REPO/.venv/bin/python" "$REPO/.ci/plugin_proof.py" apply "$WORK/hostsite"

step "Migrate and check the host"
cd "$WORK/hostsite"
export DJANGO_SETTINGS_MODULE=hostsite.settings.dev
# The README's settings read the patient-data keys from the environment, as production does.
new_key() { "$REPO/.venv/bin/python" -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'; }
LEAD_FORMS_ENCRYPTION_KEYS="$(new_key)" LEAD_FORMS_SEARCH_KEY="$(new_key)"
export LEAD_FORMS_ENCRYPTION_KEYS LEAD_FORMS_SEARCH_KEY
"$WORK/venv/bin/python" manage.py migrate --noinput -v 0
"$WORK/venv/bin/python" manage.py check --fail-level WARNING

step "Article with steps, form page, a request and its CSV export, through the test client"
"$WORK/venv/bin/python" "$REPO/.ci/plugin_proof.py" exercise "$WORK/hostsite"
step "passed"
