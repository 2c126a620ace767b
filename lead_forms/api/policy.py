"""Who may write through this app's v3 endpoints, and which answers no cache may keep.

Applied by the app to its own routers (``Router.add_decorator(..., mode="view")``), so
a host gets it by mounting Wagtail's v3 API, with no middleware to add:

- A browser always sends ``Origin`` with a cross-site POST. An anonymous write whose
  ``Origin`` is neither the site itself nor one of the front ends in
  ``CORS_ALLOWED_ORIGINS`` is a page on another site posting on the visitor's behalf:
  it is answered 403 (a problem document) before the body is read. Clients that are
  not browsers (a mobile app, a server) send no ``Origin`` and go on to the same
  validation, spam defence and rate limits as everyone; a request with a bearer token
  is the token holder's own.
- An answer to a request carrying credentials (``Authorization``, or a reader's
  ``X-Voter-Token``) gets ``Cache-Control: private, no-store``: a reader's own vote or
  token, or staff data, must never sit in a shared or browser cache.
- A validation error's ``loc`` points into the request as the client sent it: where the
  value came from, then the JSON names leading to it (``["body", "answers", "email"]``,
  ``["query", "limit"]``), never a Python parameter name.

The form page's own POST is covered by Django's CSRF protection (its form carries
the token).

The plugin's other app keeps the same rules in its own ``api_policy``: the apps never
import each other, and a host may install either alone.
"""

import json
from functools import wraps
from urllib.parse import urlsplit

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from wagtail.api.v3.errors import PROBLEM_JSON, problem_response

from lead_forms.conf import app_settings

# Headers that make an answer personal: a bearer token, or a rating voter's token.
CREDENTIAL_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_VOTER_TOKEN")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# What the app's views name their JSON body parameter (see ``errors_located_as_sent``).
BODY_PARAMETER = "payload"
# How the OpenAPI document describes the refusal, on each write operation that may give it.
ORIGIN_REFUSED_DESCRIPTION = (
    "Sent anonymously from a page whose Origin is neither this site nor one of CORS_ALLOWED_ORIGINS"
)


def _normalise_origin(origin):
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(request, origin):
    """Whether ``origin`` is the site's own or one of the front ends in ``CORS_ALLOWED_ORIGINS``."""
    allowed = {_normalise_origin(o) for o in app_settings.CORS_ALLOWED_ORIGINS}
    allowed.add(f"{request.scheme}://{request.get_host()}".lower())
    return _normalise_origin(origin) in allowed


def cross_site_refusal(request):
    """The 403 problem document for an anonymous write from another site's page, else None."""
    origin = request.META.get("HTTP_ORIGIN")
    if (
        request.method in SAFE_METHODS
        or "HTTP_AUTHORIZATION" in request.META
        or origin is None
        or origin_allowed(request, origin)
    ):
        return None
    return problem_response(
        status=403,
        title=_("Origin not allowed"),
        detail=_(
            "Requests from %(origin)s are not accepted. Ask the clinic to add it to CORS_ALLOWED_ORIGINS."
        )
        % {"origin": origin},
    )


def errors_located_as_sent(response):
    """A 422 problem's ``errors`` pointing into the JSON as the client sent it (``["body", "score"]``).

    Ninja puts the Python name of the view's body parameter in each validation error's
    ``loc`` (``["body", "payload", "score"]``); a client knows only its JSON. The app's
    operations all name that parameter ``BODY_PARAMETER``, and no JSON body of theirs has
    a property of that name, so dropping it is exact; errors the views build themselves
    already point into the JSON.
    """
    if response.status_code != 422 or not response.get("Content-Type", "").startswith(PROBLEM_JSON):
        return response
    problem = json.loads(response.content)
    errors = problem.get("errors") or []
    for error in errors:
        loc = error.get("loc")
        if isinstance(loc, list) and loc[:2] == ["body", BODY_PARAMETER]:
            error["loc"] = ["body", *loc[2:]]
    response.content = json.dumps(problem)
    return response


def api_request_policy(run):
    """Ninja view decorator (``router.add_decorator(api_request_policy, mode="view")``): the rules above."""

    @wraps(run)
    def policy(request, *args, **kwargs):
        response = cross_site_refusal(request) or errors_located_as_sent(run(request, *args, **kwargs))
        if any(header in request.META for header in CREDENTIAL_HEADERS):
            patch_cache_control(response, private=True, no_store=True)
        return response

    return policy
