"""A host made the way a new user makes one: a ``wagtail start`` project's settings, then the
README's ``plugin-proof:settings`` block run on them, as pasted at the end of ``base.py``.

The apps are not listed here by hand: they, and whatever else a host must add, come from the
README (``tests/apps/readme.py``, the reader ``.ci/plugin_proof.py`` uses too). So a step the
README forgets fails these tests, and a test here fails if an app starts to depend on the
reference site. Only test-only changes are made to the ``wagtail start`` base: an in-memory
database, a local cache, a fast password hasher, mail kept in memory, tasks run at once,
throwaway keys. Run with ``pytest tests/apps --ds=tests.apps.settings`` (``make test`` does).
"""

import base64
import hashlib
import hmac
import os
from pathlib import Path
from unittest import mock

from tests.apps.readme import run_block

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE
BASE_DIR = HERE

# ---- wagtail start's settings/base.py and dev.py (Wagtail 8.0), less its own "home" and
# "search" apps (tests/apps/test_readme_host.py compares them with the installed template).
wagtail_start_apps = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
INSTALLED_APPS = list(wagtail_start_apps)
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]
ROOT_URLCONF = "tests.apps.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The host's own base.html (with no site CSS), unlike the reference site's.
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_URL = "/static/"
MEDIA_ROOT = HERE / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
WAGTAIL_SITE_NAME = "Host site"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
SECRET_KEY = "apps-test-only-insecure-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]

# ---- Test-only changes.
# Tables straight from the models rather than through about 220 migrations (a third of
# this suite's time): the reference site's suite runs the real migrations on SQLite and
# PostgreSQL, the plugin proof in CI runs them in a fresh `wagtail start` project, and
# `make check` proves the models and migrations agree.
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:", "TEST": {"MIGRATE": False}}
}
# One process: a local cache is shared enough for the rate limits here.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "lead_forms.E002", "treatment_pages.E004"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Test clients post right after fetching the form.
LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0


def _throwaway_key(label):
    digest = hmac.new(SECRET_KEY.encode(), label.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()


# ---- The README's settings block, as pasted at the end of base.py. Its environment holds what
# the README says to set there: here, throwaway patient-data keys derived from SECRET_KEY
# (a real host makes its own; see the README). Only while the block runs: the processes the
# tests start read this module again.
README_ENVIRONMENT = {
    "LEAD_FORMS_ENCRYPTION_KEYS": _throwaway_key("encryption"),
    "LEAD_FORMS_SEARCH_KEY": _throwaway_key("search"),
}
with mock.patch.dict(os.environ, {**README_ENVIRONMENT, **os.environ}):
    run_block("settings", globals())
