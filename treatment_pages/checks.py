"""System checks: what a host site must provide for treatment_pages, named with the fix.

Run by ``manage.py check`` (and before ``runserver`` and ``migrate``).
"""

from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.template import TemplateDoesNotExist, engines
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse

from treatment_pages.conf import app_settings

# Apps treatment_pages uses, and what for.
REQUIRED_APPS = {
    "wagtail.contrib.settings": "the clinic contact details (ClinicContactSettings)",
    "wagtail_modeladmin": "the ratings report in the admin",
    # Without it every admin page answers 500 (the Ratings menu links to the snippet listing).
    "wagtail.snippets": "the ratings listing and the Clinicians snippet in the admin",
}
SETTINGS_CONTEXT_PROCESSOR = "wagtail.contrib.settings.context_processors.settings"
REQUEST_CONTEXT_PROCESSOR = "django.template.context_processors.request"
LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.compatibility)
def check_required_apps(app_configs, **kwargs):
    return [
        Error(
            f"treatment_pages needs {app} in INSTALLED_APPS for {purpose}.",
            hint=f'Add "{app}" to INSTALLED_APPS.',
            id="treatment_pages.E001",
        )
        for app, purpose in REQUIRED_APPS.items()
        if not apps.is_installed(app)
    ]


@register(Tags.templates)
def check_context_processors(app_configs, **kwargs):
    django_engines = [e for e in engines.all() if e.__class__.__name__ == "DjangoTemplates"]
    processors = {p for e in django_engines for p in e.engine.context_processors}
    return [
        Error(
            f"treatment_pages templates need the {processor} context processor.",
            hint=f'Add "{processor}" to TEMPLATES[0]["OPTIONS"]["context_processors"].',
            id="treatment_pages.E002",
        )
        for processor in (SETTINGS_CONTEXT_PROCESSOR, REQUEST_CONTEXT_PROCESSOR)
        if processor not in processors
    ]


@register(Tags.urls)
def check_urls_included(app_configs, **kwargs):
    try:
        reverse("treatment_pages:rating_vote", args=[1])
    except NoReverseMatch:
        return [
            Error(
                "treatment_pages' URLs (the rating widget's vote endpoint) are not in the URLconf.",
                hint='Add path("", include("treatment_pages.urls")) to your urlpatterns, '
                "before Wagtail's include(wagtail_urls).",
                id="treatment_pages.E003",
            )
        ]
    return []


@register(Tags.caches)
def check_rate_limit_cache(app_configs, **kwargs):
    """Vote limits must count in a cache every app process shares once DEBUG is off."""
    alias = app_settings.RATELIMIT_USE_CACHE
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if settings.DEBUG or backend not in LOCAL_CACHES:
        return []
    return [
        Error(
            f"treatment_pages counts rating votes per client in the {alias!r} cache, "
            f"which is {backend.rsplit('.', 1)[-1]}: each process keeps its own count.",
            hint=f"Point CACHES[{alias!r}] (or RATELIMIT_USE_CACHE) at a shared cache such as "
            '"django.core.cache.backends.redis.RedisCache".',
            id="treatment_pages.E004",
        )
    ]


@register(Tags.templates)
def check_base_template(app_configs, **kwargs):
    name = app_settings.TREATMENT_PAGES_BASE_TEMPLATE
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [
            Error(
                f"treatment_pages' page templates extend {name!r}, which no template directory has.",
                hint="Create that template (it needs a content block; title and body_class are filled "
                "where it has them), or set TREATMENT_PAGES_BASE_TEMPLATE to your site's base template.",
                id="treatment_pages.E005",
            )
        ]
    return []


# Wagtail's apps whose ready() builds the v3 page schemas (see block_schemas.register_typed_streamfields).
SCHEMA_BUILDING_APPS = (
    "wagtail.images",
    "wagtail.documents",
    "wagtail.snippets",
    "wagtail.contrib.redirects",
    "wagtail.locales",
)


@register(Tags.compatibility)
def check_typed_api_body(app_configs, **kwargs):
    """The v3 API's typed article body needs treatment_pages listed before Wagtail's apps.

    Only where the host serves the v3 API: a host that does not mount it loses nothing.
    """
    try:
        reverse("wagtailapi_v3:rating_summary", args=[1])
    except NoReverseMatch:
        return []
    from treatment_pages.api.block_schemas import untyped_streamfields

    untyped = untyped_streamfields()
    if not untyped:
        return []
    before = ", ".join(f'"{name}"' for name in SCHEMA_BUILDING_APPS)
    return [
        Error(
            f"The v3 API serves {', '.join(untyped)} as an untyped list: Wagtail built its page schemas "
            "before treatment_pages could type them.",
            hint=f'List "treatment_pages" before {before} in INSTALLED_APPS: put it first, e.g. '
            '`INSTALLED_APPS = ["treatment_pages", *INSTALLED_APPS]`.',
            id="treatment_pages.E010",
        )
    ]


@register(Tags.compatibility)
def check_sqlite_write_lock(app_configs, **kwargs):
    """On SQLite, a publish and the editor's autosave (Wagtail 8 saves drafts as an editor types)
    can meet in two requests: with SQLite's default deferred transactions the later writer fails
    at once with "database is locked", a 500 for the editor. An immediate transaction takes the
    write lock when it starts, so the two wait for each other instead."""
    problems = []
    for alias, database in settings.DATABASES.items():
        if database.get("ENGINE") != "django.db.backends.sqlite3":
            continue
        if database.get("OPTIONS", {}).get("transaction_mode") == "IMMEDIATE":
            continue
        problems.append(
            Warning(
                f"The SQLite database {alias!r} uses deferred transactions: publishing right after an "
                'edit can fail with "database is locked" (a 500) while the editor\'s autosave writes.',
                hint=f'Set DATABASES["{alias}"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE", as the '
                "README's settings block does.",
                id="treatment_pages.W002",
            )
        )
    return problems


@register(Tags.compatibility)
def check_frontend_base_url(app_configs, **kwargs):
    """Canonical and sitemap URLs are built on ``TREATMENT_PAGES_FRONTEND_BASE_URL``: a relative
    or query-carrying value would publish broken addresses to every search engine."""
    base = app_settings.TREATMENT_PAGES_FRONTEND_BASE_URL
    if not base:
        return []
    parts = urlsplit(str(base))
    if parts.scheme in {"http", "https"} and parts.netloc and not parts.query and not parts.fragment:
        return []
    return [
        Error(
            f"TREATMENT_PAGES_FRONTEND_BASE_URL = {base!r} is not an absolute http(s) address.",
            hint='Set it to the front end\'s origin (and path prefix, if any), e.g. "https://www.clinic.example", '
            "or leave it empty when this site serves the pages.",
            id="treatment_pages.E025",
        )
    ]


@register(Tags.compatibility)
def check_absolute_media_urls(app_configs, **kwargs):
    """The API gives image URLs as Wagtail's ``full_url``: absolute only with an absolute
    ``MEDIA_URL`` or ``WAGTAILADMIN_BASE_URL``. Paths would be broken images on a front end
    served from another origin."""
    if urlsplit(str(settings.MEDIA_URL or "")).netloc or getattr(settings, "WAGTAILADMIN_BASE_URL", ""):
        return []
    return [
        Warning(
            "Image URLs in the API are paths on this site: a front end on another origin shows broken images.",
            hint="Set WAGTAILADMIN_BASE_URL to this site's address (as Wagtail's docs ask), or MEDIA_URL to "
            "an absolute address (a CDN).",
            id="treatment_pages.W003",
        )
    ]
