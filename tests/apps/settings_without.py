"""The minimal host minus the apps named in HOST_WITHOUT (comma-separated), for check tests
that run ``manage.py check`` in a subprocess (Wagtail's app registry cannot be re-populated
in-process)."""

import os

from tests.apps.settings import *  # noqa: F403

_without = {name for name in os.environ.get("HOST_WITHOUT", "").split(",") if name}
INSTALLED_APPS = [name for name in INSTALLED_APPS if name not in _without]  # noqa: F405
if "treatment_pages" in _without:
    ROOT_URLCONF = "tests.apps.urls_without_apps"
    # The README's settings block: "leave it out when you use lead_forms alone".
    LEAD_FORMS_CONTACT_SETTINGS = None
# A host without an app has no middleware of that app either.
MIDDLEWARE = [name for name in MIDDLEWARE if name.split(".", 1)[0] not in _without]  # noqa: F405
