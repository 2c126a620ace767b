"""Spam defences that need no third-party service: a honeypot and a signed time-trap.

Both only *flag* a submission (see ``AppointmentFormPage.submit``): what they catch is
stored for staff to review, never silently dropped, because a false positive would be
a patient's lost appointment request.
"""

import time

from django.core import signing

from lead_forms.conf import app_settings

# Field names with a dash can never collide with a form builder field: Wagtail's
# clean names are snake_case.
HONEYPOT_FIELD = "contact-website"
TIME_TRAP_FIELD = "form-token"


REASON_HONEYPOT = "Hidden anti-spam field was filled in"
REASON_TOKEN_MISSING = "Form token missing"  # noqa: S105 - a reason, not a secret
REASON_TOKEN_FORGED = "Form token invalid or forged"  # noqa: S105
REASON_TOO_FAST = "Sent too soon after the form was shown"
REASON_TOO_OLD = "Form token expired"


def _salt(page_id):
    # Per page, so a token fetched from one form cannot be replayed on another.
    return f"lead_forms.time_trap.{page_id}"


def min_seconds():
    return float(app_settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS)


def max_seconds():
    return float(app_settings.LEAD_FORMS_TIME_TRAP_MAX_SECONDS)


def issue_time_token(page_id, now=None):
    """A signed token recording when the form was shown; it cannot be forged without SECRET_KEY."""
    issued = time.time() if now is None else now
    # Whole milliseconds, rounded down so a token is never younger than it is.
    return signing.dumps({"ms": int(issued * 1000)}, salt=_salt(page_id), compress=False)


def check_time_token(page_id, token, now=None):
    """Return why ``token`` looks like a bot's, or ``""`` when it is a human's."""
    if not token:
        return REASON_TOKEN_MISSING
    try:
        payload = signing.loads(token, salt=_salt(page_id))
        issued = int(payload["ms"]) / 1000
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return REASON_TOKEN_FORGED
    elapsed = (time.time() if now is None else now) - issued
    if elapsed < min_seconds():
        return REASON_TOO_FAST
    if elapsed > max_seconds():
        return REASON_TOO_OLD
    return ""


def check_honeypot(value):
    """People never see the honeypot field, so any value in it came from a bot (or an autofill)."""
    return REASON_HONEYPOT if (value or "").strip() else ""
