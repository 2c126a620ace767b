"""Test runs: fast hashing, mail kept in memory, tasks run at once.

DATABASE_URL and REDIS_URL still apply, so the same suite runs on SQLite and
on PostgreSQL + Redis.
"""

import os
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")  # noqa: S105
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

# `make test` runs the suite in pytest-xdist workers that share one Redis: each gets a
# database of its own, since a test may empty its cache (FLUSHDB) while another counts.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker:
    _redis = urlsplit(os.environ["REDIS_URL"])
    _database = int(_redis.path.strip("/") or 0) + int(_worker.removeprefix("gw"))
    os.environ["REDIS_URL"] = _redis._replace(path=f"/{_database}").geturl()

from .base import *  # noqa: E402,F403

# On PostgreSQL: Django's backend with a cheaper flush after each transactional test, and
# a connection pool. The live server answers each request in a thread of its own, which
# would otherwise open (and PostgreSQL fork a backend for) a connection per request: the
# v3 fuzz run's 800 requests took 16 s that way, 10 s with the pool. A pool replaces
# persistent connections (Django requires CONN_MAX_AGE 0 with one).
if DATABASE_IS_POSTGRES:  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 16}  # noqa: F405

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"

# No LEAD_FORMS_ENCRYPTION_KEYS / LEAD_FORMS_SEARCH_KEY set: derive THROWAWAY keys from
# SECRET_KEY (lead_forms.W001 says so). Production has no such fallback.
LEAD_FORMS_THROWAWAY_KEYS = True

# One process: the local-memory cache is shared enough for rate limits here.
# Production has no such exemption and needs REDIS_URL.
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,  # noqa: F405
    "django_ratelimit.E003",
    "lead_forms.E002",
    "treatment_pages.E004",
]

# Test clients post right after fetching the form; the time-trap's own tests raise this again.
LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0

# Shared-cache headers are off for the suite: a test's vote or edit commits nothing (so the
# after-commit purges never run). tests/cms_site/test_shared_cache.py and the Varnish tests
# switch them on with a frontend cache of their own.
PAGE_CACHE_SECONDS = 0
