"""API request rules that hold for every endpoint, whichever app defines it."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from wagtail.api.v3.errors import problem_response

API_PREFIX = "/api/"
# Headers that make an answer personal: a bearer token, or a rating voter's token.
CREDENTIAL_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_VOTER_TOKEN")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _normalise_origin(origin):
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(request, origin):
    """The front end's origins (``CORS_ALLOWED_ORIGINS``) and the site's own."""
    allowed = {_normalise_origin(o) for o in settings.CORS_ALLOWED_ORIGINS}
    allowed.add(f"{request.scheme}://{request.get_host()}".lower())
    return _normalise_origin(origin) in allowed


def _has_nul(request):
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
    )


NUL_MESSAGE = _(
    "The address contains a NUL character (%00), which no page or API accepts. Remove it and try again."
)


class RejectNulCharactersMiddleware:
    """Answers 400 to any request whose path or query string holds a NUL character.

    No text on this site may contain one, and PostgreSQL refuses it mid-query, so a
    view that passes a query string on (site search's ``?q=%00``, Wagtail's
    ``pages/find/?html_path=``) would fail with a 500. Checked once, here, for every
    public view, Wagtail's and the apps' alike: the API gets an RFC 7807 problem
    document, pages the site's 400 page. (Posted form text is refused by Django's
    form fields themselves.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith(API_PREFIX):
                return problem_response(status=400, title="Invalid character", detail=str(NUL_MESSAGE))
            raise BadRequest(str(NUL_MESSAGE))
        return self.get_response(request)


class APIRequestPolicyMiddleware:
    """Refuses anonymous API writes from other sites' pages; keeps authenticated answers out of caches.

    - A browser always sends ``Origin`` with a cross-site POST. One from an origin
      that is neither the site nor an allowed front end is a page on another site
      submitting on the visitor's behalf: answered 403 before any view runs. Clients
      that are not browsers (a mobile app, a server) send no ``Origin`` and pass on to
      the same validation, spam defence and rate limits as everyone.
    - Requests carrying credentials (``Authorization``, or a voter's ``X-Voter-Token``)
      get ``Cache-Control: private, no-store``: submissions and a reader's own vote must
      never sit in a shared or browser cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)

        bearer = "HTTP_AUTHORIZATION" in request.META
        personal = any(header in request.META for header in CREDENTIAL_HEADERS)
        origin = request.META.get("HTTP_ORIGIN")
        if (
            request.method not in SAFE_METHODS
            and not bearer
            and origin is not None
            and not origin_allowed(request, origin)
        ):
            response = problem_response(
                status=403,
                title="Origin not allowed",
                detail=f"Requests from {origin} are not accepted. Ask the clinic to add it to CORS_ALLOWED_ORIGINS.",
            )
        else:
            response = self.get_response(request)

        if personal:
            patch_cache_control(response, private=True, no_store=True)
        return response
