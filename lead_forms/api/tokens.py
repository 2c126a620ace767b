"""When a staff API token stops opening patient data: its age, and how long it went unused.

Wagtail 8's bearer tokens (``python manage.py api_tokens create``) never expire. A token
reading appointment requests is a standing key to patient data that no idle sign-out
reaches, so the staff router (``lead_forms.api.routers``) refuses one (401) once it is older than
``LEAD_FORMS_API_TOKEN_MAX_AGE_DAYS`` or has gone unused for
``LEAD_FORMS_API_TOKEN_IDLE_DAYS`` (its ``last_used_at``, which Wagtail records at most every
``WAGTAILAPI_TOKEN_LAST_USED_INTERVAL`` seconds; before its first use, its creation).
Both are computed from Wagtail's own columns, so no migration touches Wagtail's table and
lowering a setting applies to tokens already issued. ``manage.py staff_api_tokens`` lists
the tokens with their last use and expiry.
"""

import datetime

from django.utils import timezone

from lead_forms.conf import app_settings


def _days(name):
    value = getattr(app_settings, name)
    return datetime.timedelta(days=value) if value else None


def max_age():
    """How long a token works after its creation (None: no limit)."""
    return _days("LEAD_FORMS_API_TOKEN_MAX_AGE_DAYS")


def idle_limit():
    """How long a token may go unused before it stops working (None: no limit)."""
    return _days("LEAD_FORMS_API_TOKEN_IDLE_DAYS")


def expires_at(token):
    """When ``token`` (a ``wagtail.models.APIToken``) stops opening the staff API, as things stand
    (None: never). Each use moves the idle limit on; the age limit stays."""
    ends = []
    if (age := max_age()) is not None:
        ends.append(token.created + age)
    if (idle := idle_limit()) is not None:
        ends.append((token.last_used_at or token.created) + idle)
    return min(ends) if ends else None


def is_expired(token, now=None):
    end = expires_at(token)
    return end is not None and (now or timezone.now()) >= end


def describe_limits():
    """The limits in words, for the 401 an expired token gets ("90 days, or 30 days unused")."""
    parts = []
    if (age := max_age()) is not None:
        parts.append(f"{age.days} days")
    if (idle := idle_limit()) is not None:
        parts.append(f"{idle.days} days unused")
    return ", or ".join(parts)
