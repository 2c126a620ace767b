"""System checks: what a host site must provide for lead_forms, named with the fix.

Run by ``manage.py check`` (and before ``runserver`` and ``migrate``).
"""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register  # noqa: A004 - Django's check level
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from lead_forms.conf import app_settings

# Apps lead_forms uses, and what for.
REQUIRED_APPS = {
    "wagtail.contrib.forms": "the appointment form pages (AbstractEmailForm)",
    "wagtail.contrib.settings": "the request retention setting (AppointmentRequestSettings)",
    "wagtail_modeladmin": "the staff inbox of appointment requests",
}
LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.compatibility)
def check_required_apps(app_configs, **kwargs):
    return [
        Error(
            f"lead_forms needs {app} in INSTALLED_APPS for {purpose}.",
            hint=f'Add "{app}" to INSTALLED_APPS.',
            id="lead_forms.E001",
        )
        for app, purpose in REQUIRED_APPS.items()
        if not apps.is_installed(app)
    ]


@register(Tags.caches)
def check_rate_limit_cache(app_configs, **kwargs):
    """Submission limits must count in a cache every app process shares once DEBUG is off."""
    alias = app_settings.RATELIMIT_USE_CACHE
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if settings.DEBUG or backend not in LOCAL_CACHES:
        return []
    return [
        Error(
            f"lead_forms counts appointment requests per client in the {alias!r} cache, "
            f"which is {backend.rsplit('.', 1)[-1]}: each process keeps its own count.",
            hint=f"Point CACHES[{alias!r}] (or RATELIMIT_USE_CACHE) at a shared cache such as "
            '"django.core.cache.backends.redis.RedisCache".',
            id="lead_forms.E002",
        )
    ]


@register(Tags.templates)
def check_base_template(app_configs, **kwargs):
    name = app_settings.LEAD_FORMS_BASE_TEMPLATE
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [
            Error(
                f"lead_forms' page templates extend {name!r}, which no template directory has.",
                hint="Create that template (it needs a content block; title and body_class are filled where it has them), "
                "or set LEAD_FORMS_BASE_TEMPLATE to your site's base template.",
                id="lead_forms.E003",
            )
        ]
    return []


@register()
def check_contact_settings(app_configs, **kwargs):
    """The seam to the host's contact details must name an installed site-settings model."""
    label = app_settings.LEAD_FORMS_CONTACT_SETTINGS
    if not label:
        return []
    try:
        apps.get_model(label)
    except (LookupError, ValueError):
        return [
            Error(
                f"LEAD_FORMS_CONTACT_SETTINGS names {label!r}, which is not an installed model.",
                hint='Set it to "app_label.ModelName" of a site setting with phone, phone_href and '
                "email attributes, or to None to show no contact lines.",
                id="lead_forms.E004",
            )
        ]
    return []


def _nothing_stored_yet(databases):
    """Whether none of ``databases`` has the requests table yet: a fresh host before ``migrate``."""
    from django.db import DatabaseError, connections

    from lead_forms.models import AppointmentSubmission

    table = AppointmentSubmission._meta.db_table
    try:
        return not any(table in connections[alias].introspection.table_names() for alias in databases)
    except DatabaseError:
        return False


@register(Tags.security)
def check_encryption_keys(app_configs, databases=None, **kwargs):
    """Patient data cannot be stored or read without LEAD_FORMS_ENCRYPTION_KEYS and LEAD_FORMS_SEARCH_KEY.

    An error wherever the app's tables exist (or the check may not look: ``check`` on
    Django 5.2 passes no databases). A warning on a fresh host whose database has no requests
    table yet, so its first ``migrate`` (which runs the checks with the databases) creates the
    tables without keys: the migrations need none (0005 asks for them only when there are
    stored requests to encrypt).
    """
    from lead_forms.encryption import crypto

    try:
        crypto.check_configuration()
    except ImproperlyConfigured as problem:
        fresh = bool(databases) and _nothing_stored_yet(databases)
        level, code = (Warning, "lead_forms.W011") if fresh else (Error, "lead_forms.E011")
        return [level(str(problem), id=code)]
    return []


@register(Tags.security)
def check_throwaway_keys(app_configs, **kwargs):
    """Say clearly when patient data is sealed with keys derived from SECRET_KEY."""
    from lead_forms.encryption import crypto

    if not crypto.using_throwaway_keys():
        return []
    return [
        Warning(
            "Appointment requests are encrypted with THROWAWAY keys derived from SECRET_KEY "
            "(LEAD_FORMS_THROWAWAY_KEYS is on).",
            hint="Fine for development and tests only: what is stored now cannot be read under real keys. "
            "Production sets LEAD_FORMS_ENCRYPTION_KEYS and LEAD_FORMS_SEARCH_KEY.",
            id="lead_forms.W001",
        )
    ]


IDLE_LOGOUT_MIDDLEWARE = "lead_forms.middleware.IdleLogoutMiddleware"
AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


@register(Tags.security)
def check_idle_logout_middleware(app_configs, **kwargs):
    """Idle sign-out of patient-data staff is on by default, but only its middleware can do it.

    Neither Django nor Wagtail offers a public hook that runs on every admin request, so the
    host lists the middleware; without it staff stay signed in however long they are away.
    """
    from lead_forms.middleware import idle_seconds

    if idle_seconds() <= 0:
        return []
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    hint = (
        f'Add "{IDLE_LOGOUT_MIDDLEWARE}" to MIDDLEWARE, right after "{AUTHENTICATION_MIDDLEWARE}" '
        "(or set LEAD_FORMS_IDLE_LOGOUT_SECONDS = 0 to keep staff signed in)."
    )
    if IDLE_LOGOUT_MIDDLEWARE not in middleware:
        return [
            Error(
                f"Staff who may read appointment requests are to be signed out after "
                f"{idle_seconds()} idle seconds (LEAD_FORMS_IDLE_LOGOUT_SECONDS), but "
                f"{IDLE_LOGOUT_MIDDLEWARE} is not in MIDDLEWARE, so nobody is.",
                hint=hint,
                id="lead_forms.E010",
            )
        ]
    if AUTHENTICATION_MIDDLEWARE in middleware and middleware.index(
        IDLE_LOGOUT_MIDDLEWARE
    ) < middleware.index(AUTHENTICATION_MIDDLEWARE):
        return [
            Error(
                f"{IDLE_LOGOUT_MIDDLEWARE} comes before {AUTHENTICATION_MIDDLEWARE} in MIDDLEWARE, "
                "so it never sees who is signed in.",
                hint=hint,
                id="lead_forms.E010",
            )
        ]
    return []


OTP_APPS = ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"
TWO_FACTOR_MIDDLEWARE = "lead_forms.staff_sign_in.two_factor.TwoFactorMiddleware"


@register(Tags.security)
def check_two_factor(app_configs, **kwargs):
    """Staff who may read patient data need a second factor (on by default), and sign-in throttling.

    The second factor needs django-otp's apps and middleware plus the app's own, in that order
    after ``AuthenticationMiddleware``: without them nobody is asked, or (middleware before
    django-otp's) everybody is sent to the code page forever. Throttling is django-axes'
    (optional, so a warning): without it a password can be guessed as fast as the server answers.
    """
    if not app_settings.LEAD_FORMS_REQUIRE_TWO_FACTOR:
        return [
            Warning(
                "Two-factor sign-in is OFF (LEAD_FORMS_REQUIRE_TWO_FACTOR = False): staff who may read "
                "appointment requests sign in with a password alone.",
                hint="Fine for local development; production keeps LEAD_FORMS_REQUIRE_TWO_FACTOR = True.",
                id="lead_forms.W013",
            )
        ]
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    hint = (
        f"Add {', '.join(repr(app) for app in OTP_APPS)} to INSTALLED_APPS, and "
        f'"{OTP_MIDDLEWARE}" then "{TWO_FACTOR_MIDDLEWARE}" to MIDDLEWARE right after '
        f'"{AUTHENTICATION_MIDDLEWARE}" (or set LEAD_FORMS_REQUIRE_TWO_FACTOR = False).'
    )
    missing = [app for app in OTP_APPS if not apps.is_installed(app)]
    missing += [name for name in (OTP_MIDDLEWARE, TWO_FACTOR_MIDDLEWARE) if name not in middleware]
    errors = []
    if missing:
        errors.append(
            Error(
                "Staff who may read appointment requests must confirm each sign-in with a second factor "
                f"(LEAD_FORMS_REQUIRE_TWO_FACTOR), which needs {', '.join(missing)}.",
                hint=hint,
                id="lead_forms.E013",
            )
        )
    else:
        order = [AUTHENTICATION_MIDDLEWARE, OTP_MIDDLEWARE, TWO_FACTOR_MIDDLEWARE]
        positions = [middleware.index(name) for name in order if name in middleware]
        if positions != sorted(positions):
            errors.append(
                Error(
                    f"MIDDLEWARE must list {AUTHENTICATION_MIDDLEWARE}, {OTP_MIDDLEWARE} and "
                    f"{TWO_FACTOR_MIDDLEWARE} in that order: each reads what the one before sets.",
                    hint=hint,
                    id="lead_forms.E013",
                )
            )
    if not apps.is_installed("axes"):
        errors.append(
            Warning(
                "Failed staff sign-ins are not throttled: a password can be guessed as fast as the server answers.",
                hint='Install django-axes: add "axes" to INSTALLED_APPS, "axes.backends.AxesBackend" first in '
                'AUTHENTICATION_BACKENDS, "axes.middleware.AxesMiddleware" last in MIDDLEWARE, and '
                'AXES_CLIENT_IP_CALLABLE = "lead_forms.staff_sign_in.throttling.client_address" '
                "(docs/security.md, Staff sign-in).",
                id="lead_forms.W014",
            )
        )
    return errors
