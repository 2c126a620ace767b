"""Signed, short-lived thank-you links (Post/Redirect/Get after a stored request).

A stored request answers with a redirect to ``<form page>/thank-you/?r=<token>``. The
token carries the request's reference and nothing else, signed with ``SECRET_KEY``
for that form page and stamped with the time, so it cannot be guessed or altered, and
reloading the page within ``LEAD_FORMS_THANK_YOU_SECONDS`` shows the reference again
without sending anything. The reference is not patient data: it is what the patient
quotes when they call, and the page shows nothing else about the request. (In the query
string, so access logs, which record paths only, never hold it.)
"""

from django.core import signing

from lead_forms.conf import app_settings

URL_SEGMENT = "thank-you"
QUERY_PARAMETER = "r"


class ExpiredLink(Exception):
    """The link was genuine but is older than ``LEAD_FORMS_THANK_YOU_SECONDS``."""


def _salt(page_id):
    return f"lead_forms.submissions.thank_you.{page_id}"


def max_age():
    return int(app_settings.LEAD_FORMS_THANK_YOU_SECONDS)


def make_token(page_id, reference):
    """The URL-safe token for ``reference``'s thank-you page on form ``page_id``."""
    return signing.dumps({"r": reference}, salt=_salt(page_id), compress=False)


def read_token(page_id, token):
    """The reference in ``token``; raises ``ExpiredLink`` or ``signing.BadSignature``."""
    try:
        payload = signing.loads(token, salt=_salt(page_id), max_age=max_age())
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    reference = payload.get("r") if isinstance(payload, dict) else None
    if not isinstance(reference, str) or not reference:
        raise signing.BadSignature("No reference in the thank-you token")
    return reference
