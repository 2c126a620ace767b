#!/usr/bin/env bash
# Proof that the plugin installs into a Wagtail site it has never seen, the way a new user
# does it: a clean virtualenv with Wagtail, `wagtail start`, then the README's "Add it to your
# Wagtail site" steps, read from the README by their markers (.ci/plugin_proof.py): the
# install block (it builds the wheel from this checkout and installs it), the settings and
# URL blocks; migrate and check the host, then drive it through Django's test client.
# Any failing step stops the script with its error.
#
#   PYTHON=python3.13   the interpreter of the host's virtualenv (default: python3)
#   DJANGO=pinned       (default) Django at requirements.txt's pin, 5.2 LTS: a host on the LTS
#   DJANGO=project      the `wagtail start` project's own requirements.txt, as a new project
#                       installs them (Wagtail 8.0: Django 6.1, which needs Python 3.12+)
# Every other package is held at requirements.txt's pins.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
PYTHON="${PYTHON:-python3}"
DJANGO="${DJANGO:-pinned}"
case "$DJANGO" in
    pinned | project) ;;
    *) echo "plugin proof: DJANGO must be 'pinned' or 'project', not '$DJANGO'" >&2; exit 2 ;;
esac
WORK="$(mktemp -d "${TMPDIR:-/tmp}/plugin-proof.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
PROOF=("$REPO/.venv/bin/python" "$REPO/.ci/plugin_proof.py")

step() { printf '\n==> plugin proof (%s, Django %s): %s\n' "$PYTHON" "$DJANGO" "$*"; }

step "Compiling translations"
(cd "$REPO/treatment_pages" && "$REPO/.venv/bin/django-admin" compilemessages -v 0)
(cd "$REPO/lead_forms" && "$REPO/.venv/bin/django-admin" compilemessages -v 0)

step "Clean virtualenv with Wagtail, and a fresh project from Wagtail's own template"
"$PYTHON" -m venv "$WORK/venv"
# Constraints may not carry extras ("psycopg[binary]"): the same pins without them, and
# without Django's where the project's own requirements choose it.
sed 's/\[[^]]*\]//' "$REPO/requirements.txt" > "$WORK/constraints.txt"
if [ "$DJANGO" = project ]; then
    sed -i '/^[Dd]jango==/d' "$WORK/constraints.txt"
fi
export PIP_CONSTRAINT="$WORK/constraints.txt" PIP_DISABLE_PIP_VERSION_CHECK=1
"$WORK/venv/bin/pip" install --quiet wagtail
(cd "$WORK" && "$WORK/venv/bin/wagtail" start hostsite)
if [ "$DJANGO" = project ]; then
    "$WORK/venv/bin/pip" install --quiet -r "$WORK/hostsite/requirements.txt"
fi
"$WORK/venv/bin/python" -c 'import sys, django, wagtail; print(f"Python {sys.version.split()[0]}, Django {django.__version__}, Wagtail {wagtail.__version__}")'

step "The README's install block: the wheel built from this checkout, installed"
INSTALL="$("${PROOF[@]}" readme-block install)"
# The block's one placeholder is where the checkout is; `python` is the host's virtualenv's.
PLACEHOLDER="path/to/wagtail-clinic"
if [[ "$INSTALL" != *"$PLACEHOLDER"* ]]; then
    echo "PLUGIN PROOF FAILED: the README's install block no longer names $PLACEHOLDER" >&2
    exit 1
fi
(cd "$WORK" && PATH="$WORK/venv/bin:$PATH" bash -euo pipefail -c "${INSTALL//"$PLACEHOLDER"/\"$REPO\"}")
rm -rf "$REPO/build"  # setuptools' scratch folder
"$WORK/venv/bin/pip" show wagtail-clinic >/dev/null
"$WORK/venv/bin/pip" check
"${PROOF[@]}" check-wheel "$(ls "$WORK"/dist/wagtail_clinic-*.whl)"

step "The README's settings and URL blocks"
"${PROOF[@]}" apply "$WORK/hostsite"

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
