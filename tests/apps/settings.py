"""A minimal host for the apps' own tests: Wagtail plus the two apps, no cms_site.

Like ``wagtail/test/settings.py``: only what the apps need, so a test here fails
if an app starts to depend on the reference site. Run with
``pytest tests/apps --ds=tests.apps.settings`` (``make test`` does).
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent

SECRET_KEY = "apps-test-only-insecure-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
ROOT_URLCONF = "tests.apps.urls"

INSTALLED_APPS = [
    # The host's own contact form page, which the plugin leaves alone (tests/apps/test_neighbour.py).
    "tests.apps.host_forms",
    "treatment_pages",
    "lead_forms",
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "wagtail_modeladmin",
    "wagtail.snippets",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",  # as a `wagtail start` project lists it
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # As the README's settings block adds it (lead_forms.E010 names it when missing).
    "lead_forms.middleware.IdleLogoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The host's own base.html, unlike the reference site's.
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]
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
STATIC_URL = "/static/"
MEDIA_ROOT = HERE / "media"
USE_TZ = True
LANGUAGE_CODE = "en-us"
WAGTAIL_SITE_NAME = "Host site"
WAGTAILADMIN_BASE_URL = "http://testserver"
# Test clients post right after fetching the form.
LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0

# Appointment requests are encrypted at rest: tests derive throwaway keys from SECRET_KEY
# (a real host sets LEAD_FORMS_ENCRYPTION_KEYS and LEAD_FORMS_SEARCH_KEY; see the README).
LEAD_FORMS_THROWAWAY_KEYS = True
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "lead_forms.W001"]
