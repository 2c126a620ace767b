"""The minimal host on an SQLite *file*, with the README's SQLite line, for
``tests/apps/live_sqlite_publishing.py``: the live server's threads then each hold their own
connection and contend for SQLite's write lock as a threaded dev server does (an in-memory
test database shares one connection between them, which hides the problem)."""

import os
import tempfile

from tests.apps.settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(tempfile.gettempdir(), f"apps-sqlite-{os.getpid()}.sqlite3"),
        "TEST": {
            "MIGRATE": False,
            "NAME": os.path.join(tempfile.gettempdir(), f"apps-sqlite-test-{os.getpid()}.sqlite3"),
        },
    }
}
if os.environ.get("SQLITE_TRANSACTION_MODE", "README") == "README":
    # As the README's settings block says (kept identical; see test_sqlite_publishing.py).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
# The article's "Next steps" block links to the appointment form page.
TREATMENT_PAGES_APPOINTMENT_PAGE_TYPES = ["lead_forms.AppointmentFormPage"]
