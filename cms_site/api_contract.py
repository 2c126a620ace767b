"""The v3 API's contract with front ends: a truthful OpenAPI document, and HTTP that keeps it.

Wagtail's django-ninja API and our routers generate the operations; this module
adds, once for every operation, what the generated document leaves out or gets
wrong, and the middleware below makes the server do what the document says:

- one named ``Problem`` schema for every error answer (RFC 7807), referenced, not
  repeated per operation;
- public reads declare no security requirement (a token is still accepted, for
  drafts), and the ``AllowAnonymous`` pseudo-scheme, which is not a valid HTTP
  scheme, is gone;
- ``pages/find`` says it redirects (302); ``limit`` says its maximum, and every
  integer query parameter (``offset``) the largest value a database counts to;
- an unknown query parameter is a 400 problem naming the ones the operation takes,
  and an integer one past that largest value a 400 problem too (Wagtail's listings
  passed ``offset=2**63`` to the database, which refused it: a 500);
- public reads carry ``ETag`` (and ``Last-Modified`` for a page) and a short shared
  ``Cache-Control``, and a matching conditional request is answered 304;
- nothing per-client is ever public: an answer to a request with credentials
  (``Authorization``, ``X-Voter-Token``) that says nothing itself is
  ``private, no-store``, and ``?version=draft`` on Wagtail's pages endpoints needs a
  valid bearer token (401 without one, 403 when its user may not edit the page) and is
  answered ``private, no-store``. Wagtail's router would otherwise answer the live
  page, silently, to anyone without one.

The reference site's own, not the plugin's: each rule covers every operation of
Wagtail's API, Wagtail's and other apps' included, so a plugin applying them would
rewrite a host's API contract for endpoints it does not own; and a shared
``Cache-Control`` belongs only where purging is wired. What the apps promise for their
own endpoints (their routers, origin policy, private answers, problem documents, the
typed body) ships in the apps.
"""

import re
from functools import cache

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date
from wagtail.api.v3.errors import PROBLEM_JSON, problem_response
from wagtail.models import Page

from treatment_pages.api.policy import CREDENTIAL_HEADERS

V3_PREFIX = "/api/v3/"
# The largest integer PostgreSQL's bigint and SQLite's integer hold: a larger OFFSET is an error there.
MAX_QUERY_INTEGER = 2**63 - 1
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

FIELD_ERROR_SCHEMA = {
    "type": "object",
    "required": ["loc", "msg"],
    "properties": {
        "type": {"type": "string", "description": "Machine-readable error code, e.g. `required`."},
        "loc": {
            "type": "array",
            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "description": 'Where the error is, e.g. `["body", "answers", "email"]`.',
        },
        "msg": {"type": "string", "description": "What to fix, in words a person can read."},
    },
}
PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "An RFC 7807 problem document: every error this API answers has this shape.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": FIELD_ERROR_SCHEMA},
    },
}

# Answers any operation may give, whatever it declares.
COMMON_PROBLEMS = {
    "400": "Bad request: a query parameter is unknown or malformed",
    "404": "Not found",
    "422": "Validation failed: `errors` lists each problem and where it is",
}
AUTHENTICATED_PROBLEMS = {
    "401": "No valid bearer token (missing, unknown, revoked, or its user is inactive)",
    "403": "The token's user lacks the permission, or the Origin is not allowed",
}
WRITE_PROBLEMS = {
    "403": "The token's user lacks the permission, or the Origin is not allowed",
    "413": "The request body is larger than the server accepts",
}
RATE_LIMITED_DESCRIPTION = "Too many requests from this client: try again after `Retry-After` seconds"
NOT_MODIFIED = {
    "description": "Not modified: the representation matches the request's `If-None-Match`.",
    "headers": {"ETag": {"schema": {"type": "string"}}},
}
PUBLIC_MAX_AGE = 60
# Wagtail's operations taking ``?version=draft`` (URL names of wagtail.api.v3.routers.pages).
DRAFT_OPERATIONS = {"detail_page", "find_page"}
DRAFT_UNAUTHORISED = (
    "`version=draft` without a valid bearer token (a draft is for editors; "
    "a front end's preview uses `/api/v3/preview/`)"
)

_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def _problem(description):
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def _is_problem(response):
    return PROBLEM_JSON in response.get("content", {}) or not response.get("content")


def fix_openapi_document(document):
    """Make the generated OpenAPI document valid and true to what the server answers (in place)."""
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schemes = components.get("securitySchemes", {})
    schemes.pop("AllowAnonymous", None)

    limit_max = getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20)
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            security = operation.get("security")
            public = security is None or {"AllowAnonymous": []} in security
            if public:
                # Anyone may call it; a bearer token, when sent, only widens what it sees.
                operation.pop("security", None)
            # Ninja keys responses by int; JSON (and the checks below) by string.
            responses = operation["responses"] = {
                str(status): declared for status, declared in operation.get("responses", {}).items()
            }
            for status, declared in list(responses.items()):
                if status.startswith(("4", "5")) and _is_problem(declared):
                    description = declared.get("description") or RATE_LIMITED_DESCRIPTION
                    responses[status] = _problem(description)
            wanted = dict(COMMON_PROBLEMS)
            if not public:
                wanted.update(AUTHENTICATED_PROBLEMS)
            if method in {"post", "put", "patch"}:
                wanted.update(WRITE_PROBLEMS)
            if method == "delete":
                wanted["409"] = "Refused: the page (or a page below it) still holds appointment requests"
            for status, description in wanted.items():
                responses.setdefault(status, _problem(description))
            if method == "get" and public:
                responses.setdefault("304", NOT_MODIFIED)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or not _is_integer(parameter):
                    continue
                if parameter["name"] == "limit" and limit_max and "maximum" not in parameter["schema"]:
                    # Wagtail's listings cap ``limit`` at WAGTAILAPI_LIMIT_MAX without saying so.
                    parameter["schema"]["maximum"] = limit_max
                else:
                    parameter["schema"].setdefault("maximum", MAX_QUERY_INTEGER)
            if operation.get("operationId") in {"pages_detail", "pages_find"}:
                responses.setdefault("401", _problem(DRAFT_UNAUTHORISED))
                responses.setdefault(
                    "403", _problem("`version=draft`: the token's user may not edit the page")
                )
            if operation.get("operationId") == "pages_find":
                responses.pop("200", None)
                responses["302"] = {
                    "description": "Found: `Location` is the page's detail URL (`GET /api/v3/pages/{page_id}/`).",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                }
    return document


def _is_integer(parameter):
    schema = parameter.get("schema", {})
    kinds = [schema, *schema.get("anyOf", [])]
    return any(kind.get("type") == "integer" for kind in kinds)


@cache
def _fixed_document(api):
    return fix_openapi_document(api.get_openapi_schema())


def openapi_document_view(api):
    """A view serving ``api``'s fixed OpenAPI document (built once per process)."""

    def openapi_json(request):
        if not getattr(settings, "WAGTAILAPI_DOCS_ENABLED", True):
            return problem_response(status=404, detail="The API documentation is switched off.")
        return JsonResponse(_fixed_document(api))

    return openapi_json


@cache
def _query_parameters_by_path(api):
    """``[(path regex, method, {query parameter names} or None for any, {integer one: its maximum})]``."""
    document = _fixed_document(api)
    rules = []
    for path, operations in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            names = {p["name"] for p in query}
            integers = {
                p["name"]: p["schema"].get("maximum", MAX_QUERY_INTEGER) for p in query if _is_integer(p)
            }
            if operation.get("operationId") == "pages_list":
                # Wagtail filters listings by any page field (``?slug=``), named at request time.
                names = None
            rules.append((pattern, method.upper(), names, integers))
    return rules


def _operation_rule(api, request):
    request_method = "GET" if request.method == "HEAD" else request.method
    for pattern, method, names, integers in _query_parameters_by_path(api):
        if method == request_method and pattern.match(request.path):
            return names, integers
    return None, {}


def unknown_query_parameters(api, request):
    """The query parameters the operation ``request`` reaches does not take (sorted), and the ones it does."""
    names, _integers = _operation_rule(api, request)
    if names is None:
        return [], []
    return sorted(set(request.GET) - names), sorted(names)


def oversized_integer_parameters(api, request):
    """What is wrong with the integer query parameters of ``request`` no database can count to.

    Only values that are integers are judged here: anything else is the operation's
    own validation error (a 422 problem naming the parameter).
    """
    _names, integers = _operation_rule(api, request)
    oversized = []
    for name in sorted(integers.keys() & set(request.GET)):
        for value in request.GET.getlist(name):
            text = value.strip()
            if re.fullmatch(r"[+-]?[0-9]+", text, flags=re.ASCII) and abs(int(text)) > MAX_QUERY_INTEGER:
                oversized.append(f"{name} must be at most {integers[name]}")
                break
    return oversized


class APIContractMiddleware:
    """Keeps the v3 API's answers to what its OpenAPI document says (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(V3_PREFIX):
            return self.get_response(request)
        from wagtail.api.v3.urls import api as api_v3

        if request.method in {"GET", "HEAD"}:
            unknown, known = unknown_query_parameters(api_v3, request)
            if unknown:
                return problem_response(
                    status=400,
                    title="Unknown query parameter",
                    detail=f"This operation does not take {', '.join(unknown)}. "
                    f"It takes: {', '.join(known) or 'no query parameters'}.",
                )
            oversized = oversized_integer_parameters(api_v3, request)
            if oversized:
                return problem_response(
                    status=400,
                    title="Query parameter out of range",
                    detail="; ".join(oversized) + ".",
                )

        draft = request.method in {"GET", "HEAD"} and request.GET.get("version") == "draft"
        if draft and "HTTP_AUTHORIZATION" not in request.META and self.is_pages_read(request):
            return self.draft_refused(401)

        response = self.get_response(request)
        if draft and self.is_pages_read(request) and response.status_code < 400:
            refused = self.draft_refusal(request)
            if refused:
                return refused
            patch_cache_control(response, private=True, no_store=True)
        if any(header in request.META for header in CREDENTIAL_HEADERS) and not response.has_header(
            "Cache-Control"
        ):
            # A per-client answer nobody marked (Wagtail's own routers): never for a cache.
            patch_cache_control(response, private=True, no_store=True)
        if (
            request.method in {"GET", "HEAD"}
            and response.status_code == 200
            and not any(header in request.META for header in CREDENTIAL_HEADERS)
            and not response.streaming
            and not response.has_header("Cache-Control")
        ):
            return self.public_read(request, response)
        return response

    def public_read(self, request, response):
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        # The v3 API reads no cookie: Wagtail's routers normalise a session to anonymous
        # (AllowAnonymous) and the apps' routers take tokens in headers. ``Vary: Cookie``
        # (added when some middleware touches the session) only made the project's VCL
        # refuse every API answer and plain caches keep one copy per cookie jar; the
        # headers the answer does depend on (Origin, X-Voter-Token) stay.
        vary = [h.strip() for h in response.get("Vary", "").split(",") if h.strip()]
        if any(h.lower() == "cookie" for h in vary):
            kept = [h for h in vary if h.lower() != "cookie"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        set_response_etag(response)
        last_published = self.page_last_published(request)
        if last_published:
            # For information: a page's JSON also changes without a publish (its rating),
            # so only the ETag decides whether a conditional request gets a 304.
            response["Last-Modified"] = http_date(last_published.timestamp())
        return get_conditional_response(request, etag=response["ETag"], response=response)

    @staticmethod
    def is_pages_read(request):
        """Whether ``request`` reaches Wagtail's page detail or find (the operations taking ``version``)."""
        match = request.resolver_match
        if match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(request.path_info)
            except Resolver404:
                return False
        return match.url_name in DRAFT_OPERATIONS

    @staticmethod
    def draft_refused(status):
        if status == 401:
            response = problem_response(
                status=401,
                title="Drafts need a bearer token",
                detail="`version=draft` is for editors: send `Authorization: Bearer <token>` of a user who may "
                "edit the page. A front end's preview uses `GET /api/v3/preview/` with the preview link's token.",
            )
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        else:
            response = problem_response(
                status=403,
                title="Not allowed to read this draft",
                detail="The token's user may not edit this page, so may not read its draft.",
            )
        patch_cache_control(response, private=True, no_store=True)
        return response

    def draft_refusal(self, request):
        """The 401/403 for a draft read by someone who may not read it, else None (after the view ran)."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            # An unknown or revoked token: Wagtail fell back to anonymous and answered the live page.
            return self.draft_refused(401)
        match = request.resolver_match
        page_id = match.kwargs.get("page_id") if match else None
        if page_id is None:
            return None  # pages/find redirects to the detail URL, which is checked in turn
        page = Page.objects.filter(pk=page_id).first()
        if page is None or not page.permissions_for_user(user).can_edit():
            return self.draft_refused(403)
        return None

    @staticmethod
    def page_last_published(request):
        match = request.resolver_match
        if match is None or match.url_name != "detail_page" or "page_id" not in match.kwargs:
            return None
        return (
            Page.objects.filter(pk=match.kwargs["page_id"])
            .values_list("last_published_at", flat=True)
            .first()
        )
