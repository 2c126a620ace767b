"""The minimal host with the README's key lines and no keys in the environment, as a new
host has before it makes them: ``manage.py help``, ``collectstatic`` and ``migrate`` must run,
``manage.py check`` must name the settings. Used by subprocess tests (tests/apps/test_fresh_host.py).

HOST_DATABASE and HOST_STATIC_ROOT (paths) give the subprocess a database file and a static root.
"""

import os

from tests.apps.settings import *  # noqa: F403

LEAD_FORMS_THROWAWAY_KEYS = False
# As the README's settings block reads them: missing variables leave the settings empty.
LEAD_FORMS_ENCRYPTION_KEYS = os.environ.get("LEAD_FORMS_ENCRYPTION_KEYS", "").split(",")
LEAD_FORMS_SEARCH_KEY = os.environ.get("LEAD_FORMS_SEARCH_KEY", "").split(",")
# A host that renamed the clinical reviewers group: migrations must not read it.
TREATMENT_PAGES_CLINICAL_REVIEWERS_GROUP = "Host's own reviewers"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("HOST_DATABASE", ":memory:"),
        # As the README's settings block sets it.
        "OPTIONS": {"transaction_mode": "IMMEDIATE"},
    }
}
STATIC_ROOT = os.environ.get("HOST_STATIC_ROOT")
