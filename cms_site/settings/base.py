"""Settings shared by every environment, safe for production as they stand.

DEBUG is off and SECRET_KEY must come from the environment; ``dev`` and
``test`` relax only what they must.
"""

from datetime import timedelta

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from .env import BASE_DIR, env

PROJECT_DIR = BASE_DIR / "cms_site"

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
        'random string, e.g. the output of: python -c "import secrets; '
        'print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms_site",
    "treatment_pages",
    "lead_forms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail_modeladmin",
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
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",
    "wagtail.api.v2",
    "wagtail.api.v3",
    "wagtail_headless_preview",
    "rest_framework",
    "corsheaders",
    # Ninja's API docs from its own static files, not a CDN (the CSP allows only 'self').
    "ninja",
    "csp",
    # Staff sign-in: a second factor (lead_forms.staff_sign_in.two_factor) and throttled passwords (django-axes).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # Outermost: every log line of the request carries its id.
    "cms_site.request_logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before host validation and sessions: load balancers probe with any Host header.
    "cms_site.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that may answer early, so API errors carry CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    # A NUL in the URL is a 400 before any view passes it to PostgreSQL.
    "cms_site.middleware.RejectNulCharactersMiddleware",
    "cms_site.middleware.APIRequestPolicyMiddleware",
    # Inside the policy (which makes credentialed answers private): unknown query
    # parameters, ETags and conditional requests for public reads.
    "cms_site.api_contract.APIContractMiddleware",
    # Outside sessions: public pages lose the Vary: Cookie sessions add (cms_site.shared_cache).
    "cms_site.shared_cache.PublicResponseVaryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Varnish asks whether a session cookie is anyone's before rendering for it (cms_site.shared_cache).
    "cms_site.shared_cache.SessionCheckMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session's sign-in was confirmed with a second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "cms_site.admin_session.AdminSessionAgeMiddleware",
    # Signs out idle staff who may read patient data (LEAD_FORMS_IDLE_LOGOUT_SECONDS).
    "lead_forms.middleware.IdleLogoutMiddleware",
    # Sends patient-data staff who have not given their second factor to it (LEAD_FORMS_REQUIRE_TWO_FACTOR).
    "lead_forms.staff_sign_in.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms_site.csp.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Next to the view: a POST lacking a field a view reads with [] (Wagtail's preview) is a 400, not a 500.
    "cms_site.middleware.IncompleteFormPostMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms_site.wsgi.application"

# SQLite in the project folder unless DATABASE_URL names another database.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes SQLite's write lock when it starts, so a publish and the editor's
    # autosave (Wagtail 8, half a second after an edit) wait for each other instead of one
    # failing at once with "database is locked" (tests/apps/test_sqlite_publishing.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")

# Redis when REDIS_URL is set (shared by every app server), else per-process memory.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, reusing its redis-py clients (cms_site/cache.py).
            "BACKEND": "cms_site.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="clinic"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "clinic",
        }
    }

# Sessions: in the shared cache and the database when Redis is there (every app
# server sees them, and a Redis restart logs nobody out), else the database.
# Django's engines, plus the admin session age (cms_site.sessions).
SESSION_ENGINE = "cms_site.sessions.cached_db" if REDIS_URL else "cms_site.sessions.db"
# Staff who can use the admin get shorter sessions than anyone else (cms_site.admin_session).
ADMIN_SESSION_COOKIE_AGE = env.int("ADMIN_SESSION_COOKIE_AGE", default=8 * 60 * 60)

# Purges on publish, privacy, rating and settings changes (treatment_pages.caching.purging) go through
# wagtail.contrib.frontend_cache to every cache named here: Varnish (or anything taking
# HTTP PURGE), Cloudflare or CloudFront. With none, pages are private (no shared cache).
WAGTAILFRONTENDCACHE = {}
if FRONTEND_CACHE_PURGE_URL := env.str("FRONTEND_CACHE_PURGE_URL", default=""):
    # Purges carry FRONTEND_CACHE_PURGE_TOKEN, which deploy/varnish/clinic.vcl requires
    # (as VARNISH_PURGE_TOKEN in varnishd's environment) besides the sender's address.
    WAGTAILFRONTENDCACHE["varnish"] = {
        "BACKEND": "treatment_pages.caching.frontend_cache.TokenHTTPBackend",
        "LOCATION": FRONTEND_CACHE_PURGE_URL,
        "PURGE_TOKEN": env.str("FRONTEND_CACHE_PURGE_TOKEN", default=""),
    }
    if not WAGTAILFRONTENDCACHE["varnish"]["PURGE_TOKEN"]:
        raise ImproperlyConfigured(
            "FRONTEND_CACHE_PURGE_URL needs FRONTEND_CACHE_PURGE_TOKEN: the value varnishd has as "
            "VARNISH_PURGE_TOKEN (deploy/varnish/clinic.vcl refuses purges without it)."
        )
if CLOUDFLARE_ZONEID := env.str("CLOUDFLARE_ZONEID", default=""):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": CLOUDFLARE_ZONEID,
        "BEARER_TOKEN": env.str("CLOUDFLARE_BEARER_TOKEN", default=""),
    }
if CLOUDFRONT_DISTRIBUTION_ID := env.str("CLOUDFRONT_DISTRIBUTION_ID", default=""):
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": CLOUDFRONT_DISTRIBUTION_ID,
    }

# Shared caching of public pages. The apps mark what any shared cache may keep
# (treatment_pages.caching.policy: Cache-Control public, s-maxage=PAGE_CACHE_SECONDS); 0 marks
# nothing. Only a purged cache may keep pages: without one configured above, the default is 0
# (check treatment_pages.W001 says so when it is not).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600 if WAGTAILFRONTENDCACHE else 0)

# Staff sign-in (docs/security.md, "Staff sign-in"). django-axes counts failed sign-ins per
# username and per client address (lead_forms' resolver: proxies only as configured, IPv6 per
# /64) and locks either out for AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT failures; the
# lockout page says when to retry and whom to call (LEAD_FORMS_SIGN_IN_HELP). Attempts are
# kept in the database, so every app server sees them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A try during the lockout does not extend it: the page's "try again after" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "lead_forms.staff_sign_in.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "lead_forms.staff_sign_in.throttling.lockout_response"
LEAD_FORMS_SIGN_IN_HELP = env.str("SIGN_IN_HELP", default="") or None
# Staff with the patient-data permission confirm each sign-in with an authenticator app's
# code or a recovery code (lead_forms' default, LEAD_FORMS_REQUIRE_TWO_FACTOR = True).

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The demo clinic's own zone: the admin (inbox, request pages, exports) shows times in it.
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATIC_URL = "/static/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names so browsers may cache static files for a year.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files with hashed names are served as immutable for ten years whatever this says;
# this is for the few unhashed ones.
WHITENOISE_MAX_AGE = env.int("WHITENOISE_MAX_AGE", default=3600)

# Images and documents on S3-compatible object storage (AWS, MinIO, Scaleway...) when
# a bucket is configured; local files under MEDIA_ROOT otherwise.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
MEDIA_ORIGINS = []  # where the browser loads media from, for the Content-Security-Policy
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": AWS_S3_REGION_NAME,
            # Empty keys: boto3 finds credentials itself (instance role, ~/.aws).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN,
            # Private objects behind signed URLs unless a public custom domain serves them.
            "querystring_auth": AWS_S3_CUSTOM_DOMAIN is None,
            "default_acl": None,
            # Two uploads of the same name must not overwrite each other.
            "file_overwrite": False,
        },
    }
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGINS.append(f"https://{AWS_S3_CUSTOM_DOMAIN}")
    elif AWS_S3_ENDPOINT_URL:
        MEDIA_ORIGINS.append(AWS_S3_ENDPOINT_URL.rstrip("/"))
    else:
        MEDIA_ORIGINS.append("https://*.amazonaws.com")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Email: the clinic coordinator's notifications.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# A mail server that hangs must not hold a worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="clinic@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks: run in a separate worker (manage.py db_worker) in production.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Rate limits (django-ratelimit) count in the default cache, so they hold across
# app servers when REDIS_URL is set. The apps find the client's address themselves
# (treatment_pages.ratings.client_ip, lead_forms.submissions.client_ip): X-Forwarded-For is believed only from
# our own proxies, TRUSTED_PROXIES (comma-separated CIDRs), else REMOTE_ADDR.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if _legacy_proxy_count := env.int("TRUSTED_PROXY_COUNT", default=0):
    # No longer read: passed on so the apps' system check tells the host to name its proxies.
    TRUSTED_PROXY_COUNT = _legacy_proxy_count
RATELIMIT_USE_CACHE = "default"
# django-ratelimit only knows django-redis by name; Django's own RedisCache has the
# atomic add/incr it relies on. (Its E003, "not a shared cache", stays on in production.)
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# Appointment requests (lead_forms) and reader ratings (treatment_pages): the apps'
# defaults (lead_forms/conf.py, treatment_pages/conf.py) apply; the environment may
# override any of these (see the README's table). Patient data is stored encrypted: production
# refuses to start without LEAD_FORMS_ENCRYPTION_KEYS and LEAD_FORMS_SEARCH_KEY (dev and test
# settings derive throwaway keys instead; README: "Patient data encryption").
for _name, _read in {
    "LEAD_FORMS_RATE_LIMIT": env.str,
    "LEAD_FORMS_SEND_RATE_LIMIT": env.str,
    "LEAD_FORMS_TIME_TRAP_MIN_SECONDS": env.float,
    "LEAD_FORMS_TIME_TRAP_MAX_SECONDS": env.float,
    "LEAD_FORMS_THANK_YOU_SECONDS": env.int,
    "LEAD_FORMS_NOTIFICATION_MAX_ATTEMPTS": env.int,
    "LEAD_FORMS_NOTIFICATION_RETRY_SECONDS": env.int,
    "LEAD_FORMS_XLSX_MAX_ROWS": env.int,
    "LEAD_FORMS_PHONE_REGION": env.str,
    "LEAD_FORMS_IDLE_LOGOUT_SECONDS": env.int,
    "LEAD_FORMS_ENCRYPTION_KEYS": env.list,
    "LEAD_FORMS_SEARCH_KEY": env.list,
    "RATINGS_VOTE_RATE": env.str,
    "RATINGS_VOTER_SECRET": env.str,
    "RATINGS_NEW_VOTERS_PER_ADDRESS": env.int,
    "RATINGS_NEW_VOTER_WINDOW": env.int,
}.items():
    if _name in env.ENVIRON:
        globals()[_name] = _read(_name)
# The seam between the apps: the form pages show the clinic's phone and email from
# treatment_pages' contact settings (lead_forms does not import treatment_pages).
LEAD_FORMS_CONTACT_SETTINGS = "treatment_pages.ClinicContactSettings"

# Security: HTTPS everywhere in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# Load balancers probe health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]

# Content-Security-Policy (django-csp). The public site runs only its own static
# scripts and styles; JSON-LD blocks are data, not executed. A template that needs
# an inline script uses {{ request.csp_nonce }} (such pages are not page-cached).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# The Wagtail admin (cms_site.csp) still needs inline scripts and styles, blob: and
# data: images for uploads, and frames of its own previews.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *MEDIA_ORIGINS],
        "media-src": [SELF, "blob:", *MEDIA_ORIGINS],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Wagtail
WAGTAIL_SITE_NAME = env.str("WAGTAIL_SITE_NAME", default="Clinic")
# Authenticator apps show this name next to the staff member's account (django-otp).
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    # Uses PostgreSQL full-text search on PostgreSQL, SQLite FTS on SQLite.
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_DATE_FORMAT = "%d %B %Y"
# No avatars from gravatar.com: the admin loads nothing from third parties (and the CSP says so).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor the "new Wagtail release" check against releases.wagtail.org: upgrades are ours to plan.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# treatment_pages: a treatments section goes directly below the clinic's home page.
TREATMENT_INDEX_PARENT_PAGE_TYPES = ["cms_site.HomePage"]
# treatment_pages: the clinic settings' "appointment page" and the "Next steps" block's link
# must be appointment forms.
TREATMENT_PAGES_APPOINTMENT_PAGE_TYPES = ["lead_forms.AppointmentFormPage"]

# Headless API: /api/v2/ (Wagtail's DRF read API) and /api/v3/ (django-ninja, OpenAPI).
WAGTAILAPI_BASE_URL = env.str("WAGTAILAPI_BASE_URL", default=WAGTAILADMIN_BASE_URL)
WAGTAILAPI_LIMIT_MAX = env.int("WAGTAILAPI_LIMIT_MAX", default=20)
# Rich text leaves the API as display HTML: internal links and documents resolved to URLs.
WAGTAILAPI_RICH_TEXT_FORMAT = "html"
WAGTAILAPI_DOCS_ENABLED = env.bool("WAGTAILAPI_DOCS_ENABLED", default=True)
REST_FRAMEWORK = {
    # The v2 API is public and read-only: no session auth, so no CSRF questions.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Cross-origin: the front end's origins may call the API from a browser; anonymous
# POSTs (appointment requests, votes) from any other origin are refused.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False
# Browser code may send the headers the API reads and see the ones it answers with.
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "if-modified-since",
    "if-none-match",
    "x-voter-token",
]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Retry-After",
    "Location",
    "Content-Location",
    "WWW-Authenticate",
]

# Webhooks (treatment_pages.webhooks.delivery): administrators add endpoints in Settings › Webhooks;
# one more can come from here, for deployments configured as code. It gets every event.
WEBHOOK_URL = env.str("WEBHOOK_URL", default="")
WEBHOOK_SECRET = env.str("WEBHOOK_SECRET", default="")
# Deliveries go to public addresses only, unless their network is listed here (comma-separated CIDRs).
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
if WEBHOOK_URL and not WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "WEBHOOK_URL is set but WEBHOOK_SECRET is not: set WEBHOOK_SECRET to the receiver's signing "
        "secret (whsec_ followed by base64, as Standard Webhooks secrets are)."
    )

# Editors preview drafts on the front end when it is configured, else in Wagtail.
HEADLESS_PREVIEW_URL = env.str("HEADLESS_PREVIEW_URL", default="")
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": HEADLESS_PREVIEW_URL} if HEADLESS_PREVIEW_URL else {},
    "ENFORCE_TRAILING_SLASH": False,
    "REDIRECT_ON_PREVIEW": False,
}

# Structured logs: JSON lines with the request id (cms_site.request_logging); "plain"
# for people reading a terminal. Never request bodies or query strings.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
ACCESS_LOG = env.bool("ACCESS_LOG", default=True)
TRUST_REQUEST_ID_HEADER = env.bool("TRUST_REQUEST_ID_HEADER", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cms_site.request_logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "cms_site.request_logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # One line per background task run is noise; failures still show.
        "django_tasks": {"level": "WARNING"},
        # Django's own request logs would repeat the access line.
        "django.server": {"level": "WARNING"},
        # One line per purged URL on every publish; failures still show.
        "wagtail.frontendcache": {"level": "WARNING"},
    },
}
