"""Spam defences that need no third-party service: a honeypot and a signed time-trap.

Both only *flag* a submission (see ``AppointmentFormPage.submit``): what they catch is
stored for staff to review, never silently dropped, because a false positive would be
a patient's lost appointment request.

A time-trap token is verified without any state (its signature and timestamp), but a
stored request *spends* it: a record in the shared cache (Django's default cache, Redis
in production), kept for the token's remaining lifetime, holds a keyed hash of the
answers and the reference of the request it produced. The same token with the same
answers is then a repeat (double click, back and resend) answered with that reference;
the same token with other answers is flagged as ``REASON_TOKEN_REUSED``. A second record,
kept for ``SENT_ANSWERS_SECONDS`` and keyed by the form and the keyed hash of the answers,
maps them to that reference, so the same answers sent from a re-fetched form (a new
token) are a repeat too.
"""

import hashlib
import json
import logging
import time
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

from lead_forms.conf import app_settings

logger = logging.getLogger(__name__)

# Field names with a dash can never collide with a form builder field: Wagtail's
# clean names are snake_case.
HONEYPOT_FIELD = "contact-website"
TIME_TRAP_FIELD = "form-token"


REASON_HONEYPOT = "Hidden anti-spam field was filled in"
REASON_TOKEN_MISSING = "Form token missing"  # noqa: S105 - a reason, not a secret
REASON_TOKEN_FORGED = "Form token invalid or forged"  # noqa: S105
REASON_TOO_FAST = "Sent too soon after the form was shown"
REASON_TOO_OLD = "Form token expired"
REASON_TOKEN_REUSED = "Form token reused"  # noqa: S105

# A spent-token record outlives its token a little, so a repeat sent just as the token
# expires is still recognised.
SPENT_TOKEN_GRACE_SECONDS = 5 * 60
SPENT_TOKEN_KEY = "lead_forms:spent-token:{}"  # noqa: S105 - a cache key
# The same answers sent again to the same form within this long, whatever their token, are
# the request already stored (going back to a re-fetched form that the browser refilled).
SENT_ANSWERS_SECONDS = 60 * 60
SENT_ANSWERS_KEY = "lead_forms:sent-answers:{}:{}"


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


def _issued_at(page_id, token):
    """When ``token`` was issued (seconds since the epoch), or None if it is missing or forged."""
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=_salt(page_id))
        return int(payload["ms"]) / 1000
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def check_time_token(page_id, token, now=None):
    """Return why ``token`` looks like a bot's, or ``""`` when it is a human's."""
    if not token:
        return REASON_TOKEN_MISSING
    issued = _issued_at(page_id, token)
    if issued is None:
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


# --- Spent tokens and sent answers ----------------------------------------------------------


def answers_digest(answers):
    """A keyed hash (HMAC with ``SECRET_KEY``) of the cleaned answers: equal answers, equal
    digest, and the cache never holds anything a patient typed."""
    canonical = json.dumps(answers, sort_keys=True, default=str, ensure_ascii=False)
    return salted_hmac("lead_forms.spent_token.answers", canonical, algorithm="sha256").hexdigest()


def _spent_key(token):
    return SPENT_TOKEN_KEY.format(hashlib.sha256(token.encode()).hexdigest())


def _sent_answers_key(page_id, digest):
    return SENT_ANSWERS_KEY.format(page_id, digest)


@dataclass(frozen=True)
class RequestClaim:
    """What claiming a request found (``claim_request``).

    ``spent``: this request spent its token (or the token cannot be spent: missing, forged,
    cache down) and may be stored. ``repeat_of``: the reference of the earlier request with
    the same answers (store nothing). Neither: the token was spent by other answers (store,
    flagged ``REASON_TOKEN_REUSED``). ``keys``: the records this claim wrote.
    """

    spent: bool = False
    repeat_of: str = ""
    keys: tuple = ()

    def release(self):
        """Take the records back (the request could not be stored after all)."""
        if self.keys:
            try:
                cache.delete_many(self.keys)
            except Exception:
                logger.warning("Could not release a spent form token (%s)", "cache error", exc_info=True)


def claim_request(page_id, token, digest, reference, now=None):
    """Record that the request ``reference``, answers ``digest``, was sent with ``token``.

    The same answers sent to the same form within ``SENT_ANSWERS_SECONDS``, with any token
    (a form re-fetched by Back and refilled by the browser carries a new one), are a repeat
    of the request stored first. Otherwise the token is spent: atomically (``cache.add``),
    so of two requests racing with one token exactly one spends it. Fails open: with the
    cache down, or a token that is missing, forged or past its lifetime, the request is
    stored as usual.
    """
    answers_key = _sent_answers_key(page_id, digest)
    try:
        if not cache.add(answers_key, reference, timeout=SENT_ANSWERS_SECONDS):
            earlier = cache.get(answers_key)
            if earlier:
                return RequestClaim(repeat_of=earlier)
            # Expired between add() and get(): these answers are new again.
            cache.set(answers_key, reference, timeout=SENT_ANSWERS_SECONDS)
        issued = _issued_at(page_id, token)
        if issued is None:
            return RequestClaim(spent=True, keys=(answers_key,))
        lifetime = issued + max_seconds() - (time.time() if now is None else now)
        timeout = max(lifetime, 0) + SPENT_TOKEN_GRACE_SECONDS
        token_key = _spent_key(token)
        if cache.add(token_key, {"answers": digest, "reference": reference}, timeout=timeout):
            return RequestClaim(spent=True, keys=(answers_key, token_key))
        record = cache.get(token_key)
        if record is None:
            # Expired between add() and get(): nothing to repeat or reuse any more.
            return RequestClaim(spent=True, keys=(answers_key,))
        if constant_time_compare(record.get("answers", ""), digest):
            # The same token and answers after the answers' own record expired: the first request.
            earlier = record.get("reference", "")
            cache.set(answers_key, earlier, timeout=SENT_ANSWERS_SECONDS)
            return RequestClaim(repeat_of=earlier)
    except Exception as exc:
        logger.error("Spent form token check failed (%s); request stored", type(exc).__name__)
        return RequestClaim(spent=True)
    return RequestClaim(keys=(answers_key,))
