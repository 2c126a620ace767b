"""The test hosts' base: the settings ``wagtail start`` writes, with test-only changes.

Not a settings module of its own: each host (tests/apps/settings.py, the plain new project;
tests/apps/second_host/settings.py, an existing site) takes a fresh copy
(``wagtail_start_settings()``), adds what its kind of host already has, and runs the README's
settings block on it (``apply_readme_settings``), as a host pastes it at the end of
``base.py``. The test-only changes: an in-memory database, a local cache, a fast password
hasher, mail kept in memory, tasks run at once, throwaway keys.
"""

import base64
import copy
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


# What the README says to set in the environment: here, throwaway patient-data keys derived
# from SECRET_KEY (a real host makes its own; see the README).
README_ENVIRONMENT = {
    "LEAD_FORMS_ENCRYPTION_KEYS": _throwaway_key("encryption"),
    "LEAD_FORMS_SEARCH_KEY": _throwaway_key("search"),
}


def wagtail_start_settings():
    """A fresh copy of this module's settings: each host extends its own lists in place."""
    return copy.deepcopy({name: value for name, value in globals().items() if name.isupper()})


def apply_readme_settings(namespace):
    """The README's settings block run at the end of ``namespace`` (a settings module's globals),
    with README_ENVIRONMENT in the environment while it runs (the environment wins where it sets
    them). Only while it runs: the processes the tests start read their settings module again."""
    with mock.patch.dict(os.environ, {**README_ENVIRONMENT, **os.environ}):
        run_block("settings", namespace)
