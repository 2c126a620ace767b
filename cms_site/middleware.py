"""API request rules that hold for every endpoint, whichever app defines it."""

from django.core.exceptions import BadRequest
from django.utils.datastructures import MultiValueDictKeyError
from django.utils.translation import gettext_lazy as _
from wagtail.api.v3.errors import problem_response

from treatment_pages.api.policy import api_request_policy

API_PREFIX = "/api/"


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
    """The apps' API request policy, extended by the reference site to every ``/api/`` endpoint.

    ``treatment_pages`` and ``lead_forms`` apply it to their own v3 endpoints
    (``api_policy.py``), which is all a host needs. This site also holds Wagtail's own
    endpoints to it, as defence in depth: anonymous writes from other sites' pages are
    answered 403 before any view runs, and answers to requests carrying credentials
    (``Authorization``, ``X-Voter-Token``) get ``Cache-Control: private, no-store``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        return api_request_policy(self.get_response)(request)


INCOMPLETE_FORM_MESSAGE = _(
    "The form sent is incomplete: it lacks “%(name)s”, which the page's own form always sends. "
    "Reload the page and try again."
)


class IncompleteFormPostMiddleware:
    """Answers 400, not 500, when a view reads a POST field the request did not send.

    Wagtail's editing and preview views read StreamField's management fields
    (``body-count``) with ``request.POST[...]``: a POST made by hand or by a broken
    script without them raised ``MultiValueDictKeyError`` (audit: a preview POST without
    ``body-count`` was a 500). A key missing from the request's own POST data is the
    client's error by definition; any other ``KeyError`` is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, MultiValueDictKeyError) or request.method != "POST":
            return None
        name = exception.args[0] if exception.args else ""
        if not isinstance(name, str) or name in request.POST or name in request.FILES:
            return None
        raise BadRequest(str(INCOMPLETE_FORM_MESSAGE % {"name": name})) from exception
