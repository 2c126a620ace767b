"""Every setting lead_forms reads, with its default.

Read them through ``app_settings`` (``from lead_forms.conf import app_settings``)
at call time, so ``override_settings`` and a host's settings module both apply.
A host sets only the ones it wants to change.
"""

from django.conf import settings

DEFAULTS = {
    # The template the form pages extend; it must define a ``content`` block (the pages
    # also fill ``title``, ``body_class`` and ``extra_head`` where the base has them).
    "LEAD_FORMS_BASE_TEMPLATE": "base.html",
    # Seam to the host's contact details: "app_label.ModelName" of a site setting
    # (BaseSiteSetting) with ``phone``, ``phone_href`` and ``email`` attributes, shown
    # on the thank-you and "please wait" pages. None: no contact lines.
    "LEAD_FORMS_CONTACT_SETTINGS": None,
    # Accepted requests per client IP, in django-ratelimit's notation ("5/m" = five a minute).
    # A send with errors does not count: the patient gets their errors, never "please wait".
    "LEAD_FORMS_RATE_LIMIT": "5/m",
    # Every send of the form per client IP, accepted or not: a higher ceiling for scripts
    # trying answers, far above what a person correcting mistakes sends.
    "LEAD_FORMS_SEND_RATE_LIMIT": "30/m",
    # A form sent sooner than this after it was shown, or later than the maximum, is flagged as spam.
    "LEAD_FORMS_TIME_TRAP_MIN_SECONDS": 3.0,
    "LEAD_FORMS_TIME_TRAP_MAX_SECONDS": 24 * 60 * 60.0,
    # How long the signed thank-you link (showing the request's reference) keeps working.
    "LEAD_FORMS_THANK_YOU_SECONDS": 3600,
    # Failed emails are retried after 1, 2, 4... times the base delay, up to the attempt limit.
    "LEAD_FORMS_NOTIFICATION_MAX_ATTEMPTS": 5,
    "LEAD_FORMS_NOTIFICATION_RETRY_SECONDS": 60,
    # Larger admin XLSX exports are refused with a pointer to the CSV or the export command.
    "LEAD_FORMS_XLSX_MAX_ROWS": 20_000,
    # The cache alias rate limits count in, and how they find the client's address
    # (django-ratelimit's own settings; None: client_ip.py's TRUSTED_PROXIES rule).
    "RATELIMIT_USE_CACHE": "default",
    "RATELIMIT_IP_META_KEY": None,
    # Front ends on other origins whose pages may post to the v3 API anonymously (django-cors-headers'
    # own setting; api_policy.py). The site's own origin is always allowed.
    "CORS_ALLOWED_ORIGINS": [],
    # Phone numbers of this region (ISO 3166 code) are shown in national format, others internationally.
    "LEAD_FORMS_PHONE_REGION": "US",
    # Patient-data encryption keys (lead_forms.encryption.crypto): url-safe base64 of 32 random bytes each,
    # newest first. Required unless LEAD_FORMS_THROWAWAY_KEYS is on.
    "LEAD_FORMS_ENCRYPTION_KEYS": [],
    # Key(s) of the search tokens (blind indexes), newest first; never one of the encryption keys.
    "LEAD_FORMS_SEARCH_KEY": [],
    # Values sealed before migration 0010 (format lf1, not bound to their table, column and row)
    # are refused as unreadable once re-sealed. True only while restoring rows saved before it,
    # until `manage.py rotate_patient_data_keys` has re-sealed them.
    "LEAD_FORMS_READ_UNBOUND_VALUES": False,
    # Development and tests only: derive throwaway keys from SECRET_KEY when none are set.
    "LEAD_FORMS_THROWAWAY_KEYS": False,
    # Staff with the patient-data permission are signed out after this many idle seconds.
    "LEAD_FORMS_IDLE_LOGOUT_SECONDS": 900,
    # Admin URL names (namespace:name) an open tab requests by itself, which do not count as activity:
    # Wagtail's editing-session ping (every 10 s while an edit view is open) and its release.
    "LEAD_FORMS_IDLE_BACKGROUND_URL_NAMES": (
        "wagtailadmin_editing_sessions:ping",
        "wagtailadmin_editing_sessions:release",
    ),
    # Staff API tokens (Wagtail's bearer tokens) stop opening appointment requests this many days
    # after they were created, or after this many days unused (lead_forms.api.tokens). 0 or None: no limit.
    "LEAD_FORMS_API_TOKEN_MAX_AGE_DAYS": 90,
    "LEAD_FORMS_API_TOKEN_IDLE_DAYS": 30,
    # The form pages' own small stylesheet and script (error summary focus), loaded from inside
    # the content block whatever blocks the host's base template has. False: the host styles
    # them itself (or overrides lead_forms/includes/frontend_assets.html).
    "LEAD_FORMS_FRONTEND_ASSETS": True,
    # The breadcrumb above the form pages; False for a host whose base template shows its own.
    "LEAD_FORMS_BREADCRUMB": True,
    # The host's own proxies in front of the app (load balancer, CDN, Varnish) as networks, e.g.
    # ["10.0.0.0/8", "127.0.0.1/32"]: only a request from one of them has its X-Forwarded-For read,
    # walked from the right past these networks to the client (client_ip.py). Empty: REMOTE_ADDR.
    "TRUSTED_PROXIES": [],
    # Staff with the patient-data permission confirm each sign-in with a code from an
    # authenticator app (TOTP) or a recovery code (lead_forms.staff_sign_in.two_factor, django-otp).
    "LEAD_FORMS_REQUIRE_TWO_FACTOR": True,
    # Ask every user who can open the admin for the second factor, not only patient-data staff.
    "LEAD_FORMS_TWO_FACTOR_FOR_ALL_STAFF": False,
    # How many single-use recovery codes a person gets (at enrolment, and each time they make new ones).
    "LEAD_FORMS_RECOVERY_CODES": 10,
    # Whom staff should call when sign-in is locked or they lost their second factor, shown on
    # those pages ("the practice manager, 555 0100"). None: "an administrator of this site".
    "LEAD_FORMS_SIGN_IN_HELP": None,
}


class AppSettings:
    """Attribute access to the settings above: the host's value, else the default."""

    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(f"lead_forms has no setting {name}")
        return getattr(settings, name, DEFAULTS[name])


app_settings = AppSettings()
