"""Local development: DEBUG on, a fixed throwaway key, mail printed to the console."""

import os

# Only for local development; production reads SECRET_KEY from the environment.
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-not-for-production")  # noqa: S105
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_FORMAT", "plain")

from .base import *  # noqa: E402,F403
from .env import env  # noqa: E402

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# No LEAD_FORMS_ENCRYPTION_KEYS / LEAD_FORMS_SEARCH_KEY set: derive THROWAWAY keys from
# SECRET_KEY (lead_forms.W001 says so). Production has no such fallback.
LEAD_FORMS_THROWAWAY_KEYS = True

# The demo's admin login (manage.py load_demo) works with its password alone: no phone needed
# to try the site. `manage.py check` and runserver say so (lead_forms.W013);
# LEAD_FORMS_REQUIRE_TWO_FACTOR=true in the environment tries the second factor.
LEAD_FORMS_REQUIRE_TWO_FACTOR = env.bool("LEAD_FORMS_REQUIRE_TWO_FACTOR", default=False)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")
    }
}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# One process: the local-memory cache is shared enough for rate limits here.
# Production has no such exemption and needs REDIS_URL.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405
