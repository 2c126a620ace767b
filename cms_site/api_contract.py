"""The v3 API's contract with front ends: a truthful OpenAPI document, and HTTP that keeps it.

Wagtail's django-ninja API and our routers generate the operations; this module
adds, once for every operation, what the generated document leaves out or gets
wrong, and the middleware below makes the server do what the document says:

- one named ``Problem`` schema for every error answer (RFC 7807), referenced, not
  repeated per operation; an unknown ``/api/v3/`` path (404) and a method a path does
  not take (405, ``Allow`` kept) are problem documents too, not HTML; every 401
  carries ``WWW-Authenticate``, every 429 ``Retry-After`` (declared, with their types);
- one location convention for field errors (``loc``: where the value came from, then
  the JSON names leading to it, as sent: ``["body", "score"]``), Wagtail's own
  operations' errors rewritten to it (the apps write theirs so);
- public operations declare anonymous access (``security: [{}]``, plus the bearer
  scheme where Wagtail's operation takes one), and the ``AllowAnonymous``
  pseudo-scheme, which is not a valid HTTP scheme, is gone;
- Wagtail's page union has a ``discriminator``: each page's JSON carries its type at
  the top (``type``, the same as ``meta.type``), which a discriminator needs and on
  which TypeScript narrows;
- ``pages/find`` and ``redirects/find`` answer 200 with the object (Wagtail's own
  answer is a 302 to its detail URL, which a browser's ``fetch`` follows but a typed
  client cannot read), ``Content-Location`` naming its detail URL; ``redirects/find``
  takes a path with its trailing slash;
- ``limit`` says its maximum, and every integer query parameter (``offset``) the
  largest value a database counts to; the page listing's field filters (``?slug=``)
  are declared;
- an unknown query parameter is a 400 problem naming the ones the operation takes, on
  every operation and method; so is a page type's own filter without that ``type``
  (Wagtail ignored it and listed every page), and an integer one past that largest
  value (Wagtail's listings passed ``offset=2**63`` to the database: a 500);
- public reads carry ``ETag`` and ``Last-Modified`` and a short shared
  ``Cache-Control``; a matching ``If-None-Match`` or ``If-Modified-Since`` is answered
  304 (both headers declared);
- nothing per-client is ever public: an answer to a request with credentials
  (``Authorization``, ``X-Voter-Token``) that says nothing itself is
  ``private, no-store``, and ``?version=draft`` on Wagtail's pages endpoints needs a
  valid bearer token (401 without one, 403 when its user may not edit the page) and is
  answered ``private, no-store``. Wagtail's router would otherwise answer the live
  page, silently, to anyone without one;
- unused component schemas are dropped, and the document passes Redocly's recommended
  rules (``redocly.yaml`` names the ones turned off, with why) and
  openapi-spec-validator (``tests/cms_site/test_openapi_lint.py``, ``test_api_contract.py``).

The reference site's own, not the plugin's: each rule covers every operation of
Wagtail's API, Wagtail's and other apps' included, so a plugin applying them would
rewrite a host's API contract for endpoints it does not own; and a shared
``Cache-Control`` belongs only where purging is wired. What the apps promise for their
own endpoints (their routers, origin policy, private answers, problem documents, the
typed body) ships in the apps.
"""

import copy
import hashlib
import json
import re
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse, QueryDict
from django.urls import Resolver404, resolve
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
            "description": "Where the error is: where the value came from (`body`, `query`, `path` or "
            "`header`), then the names (and list indexes) leading to it inside that part of the request, "
            'exactly as the client sent them: `["body", "score"]`, `["body", "answers", "email"]`, '
            '`["query", "limit"]`. `["body"]` alone is the body as a whole.',
        },
        "msg": {"type": "string", "description": "What to fix, in words a person can read."},
    },
}
PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "An RFC 7807 problem document (`application/problem+json`): every error this API "
    "answers has this shape, an unknown path (404) and a method a path does not take (405, with `Allow`) "
    "included. A 422 lists every field error of the request in `errors`, not only the first.",
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
RETRY_AFTER_HEADER = {
    "required": True,
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}
WWW_AUTHENTICATE_HEADER = {
    "required": True,
    "description": "The scheme to authenticate with: `Bearer`.",
    "schema": {"type": "string"},
}
# Sent with every anonymous (public) answer; an answer to a bearer token is private and has none.
ETAG_HEADER = {
    "description": "This representation's validator: send it back as `If-None-Match`.",
    "schema": {"type": "string"},
}
LAST_MODIFIED_HEADER = {
    "description": "When this representation was first served (an HTTP date): send it back as "
    "`If-Modified-Since`.",
    "schema": {"type": "string"},
}
CONDITIONAL_REQUEST_HEADERS = [
    {
        "in": "header",
        "name": "If-None-Match",
        "required": False,
        "description": "The `ETag` of a copy the client holds: 304 while it is still current.",
        "schema": {"type": "string"},
    },
    {
        "in": "header",
        "name": "If-Modified-Since",
        "required": False,
        "description": "The `Last-Modified` of a copy the client holds: 304 unless the representation "
        "changed since (ignored when `If-None-Match` is sent).",
        "schema": {"type": "string"},
    },
]
NOT_MODIFIED = {
    "description": "Not modified: the copy named by `If-None-Match` (or `If-Modified-Since`) is current.",
    "headers": {"ETag": ETAG_HEADER, "Last-Modified": LAST_MODIFIED_HEADER},
}
PUBLIC_MAX_AGE = 60
# How long the first-served time of a public read's ETag is kept (``first_served``).
FIRST_SERVED_TIMEOUT = 30 * 24 * 60 * 60
# Wagtail's operations taking ``?version=draft`` (URL names of wagtail.api.v3.routers.pages).
DRAFT_OPERATIONS = {"detail_page", "find_page"}
DRAFT_UNAUTHORISED = (
    "`version=draft` without a valid bearer token (a draft is for editors; "
    "a front end's preview uses `/api/v3/preview/`)"
)
# Wagtail's ``find`` operations redirect (302) to the object's detail URL; the middleware
# answers what that URL answers instead (see ``APIContractMiddleware.follow_find``), which
# is what a browser's ``fetch`` ends with, and what a typed client can read.
FIND_OPERATIONS = {"pages_find": "pages_detail", "redirects_find": "redirects_detail"}
FIND_URL_NAMES = {"find_page", "find_redirect"}
CONTENT_LOCATION_HEADER = {
    "required": True,
    "description": "The object's own detail URL (what this answer is a copy of).",
    "schema": {"type": "string"},
}
# A page's JSON names its type twice: in ``meta.type`` (Wagtail's) and, so that OpenAPI's
# discriminator (which must be a top-level property) can narrow the page union, in ``type``.
PAGE_TYPE_PROPERTY = "type"
PAGE_FILTER_DESCRIPTION = "Only pages whose `{name}` is exactly this value."
PAGE_TYPE_FILTER_DESCRIPTION = (
    "Only pages whose `{name}` is exactly this value; needs `type` naming exactly one page type "
    "that has the field: {types}."
)

_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
# Where a request value comes from, the first item of an error's ``loc`` (Ninja's param sources).
ERROR_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# Headers of an error answer that a client acts on, kept when it becomes a problem document.
KEPT_ERROR_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Cache-Control", "Vary")
# What Wagtail's v3 views name their JSON body parameter (``data: PageCreateSchema = Body(...)``).
WAGTAIL_BODY_PARAMETER = "data"


def _problem(description, headers=None):
    answer = {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
    if headers:
        answer["headers"] = headers
    return answer


def _is_problem(response):
    return PROBLEM_JSON in response.get("content", {}) or not response.get("content")


def fix_openapi_document(document):
    """Make the generated OpenAPI document valid and true to what the server answers (in place)."""
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schemes = components.get("securitySchemes", {})
    schemes.pop("AllowAnonymous", None)
    # Paths are absolute (``/api/v3/...``): the API is on the origin serving this document.
    document["servers"] = [{"url": "/", "description": "The origin serving this document."}]

    limit_max = getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20)
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            security = operation.get("security")
            public = security is None or {"AllowAnonymous": []} in security
            if public:
                # Anyone may call it (``{}``); a bearer token, when Wagtail's operation takes one,
                # only widens what it sees (drafts, private pages).
                operation["security"] = [{}] + [s for s in security or [] if s != {"AllowAnonymous": []}]
            # Ninja keys responses by int; JSON (and the checks below) by string.
            responses = operation["responses"] = {
                str(status): declared for status, declared in operation.get("responses", {}).items()
            }
            for status, declared in list(responses.items()):
                if status.startswith(("4", "5")) and _is_problem(declared):
                    description = declared.get("description") or RATE_LIMITED_DESCRIPTION
                    responses[status] = _problem(description, declared.get("headers"))
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
                _declare_conditional_read(operation)
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
            _declare_response_headers(responses)
    _answer_find_with_the_object(document)
    _declare_page_filters(document)
    _discriminate_page_unions(document)
    _drop_unused_schemas(document)
    return document


def _operation(document, operation_id):
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method in _METHODS and operation.get("operationId") == operation_id:
                return operation
    return None


def _declare_conditional_read(operation):
    """A public read: 200 carries ``ETag`` and ``Last-Modified``, and the conditional headers are taken."""
    declared = {p["name"].lower() for p in operation.get("parameters", []) if p.get("in") == "header"}
    operation.setdefault("parameters", []).extend(
        dict(header) for header in CONDITIONAL_REQUEST_HEADERS if header["name"].lower() not in declared
    )
    ok = operation["responses"].get("200")
    if ok is not None:
        ok.setdefault("headers", {}).update({"ETag": ETAG_HEADER, "Last-Modified": LAST_MODIFIED_HEADER})


def _declare_response_headers(responses):
    """The headers every 429 and 401 of this API carries (``Retry-After``, ``WWW-Authenticate``)."""
    if "429" in responses:
        responses["429"].setdefault("headers", {}).setdefault("Retry-After", RETRY_AFTER_HEADER)
    if "401" in responses:
        responses["401"].setdefault("headers", {}).setdefault("WWW-Authenticate", WWW_AUTHENTICATE_HEADER)


def _answer_find_with_the_object(document):
    """``pages/find`` and ``redirects/find`` answer 200 with what their detail operation answers."""
    for find_id, detail_id in FIND_OPERATIONS.items():
        find, detail = _operation(document, find_id), _operation(document, detail_id)
        if find is None or detail is None:
            continue
        find["responses"].pop("302", None)
        ok = copy.deepcopy(detail["responses"]["200"])
        ok["description"] = (
            "Found: the object, exactly as its detail URL (`Content-Location`) answers it. "
            "(Wagtail's own answer is a redirect to that URL; this API follows it for the client.)"
        )
        ok.setdefault("headers", {})["Content-Location"] = CONTENT_LOCATION_HEADER
        find["responses"]["200"] = ok


@cache
def page_filter_fields():
    """``{query parameter: (Django field, [labels of the page types having it] or None for every page)}``.

    The page fields Wagtail's listing filters by (``?slug=``): its base fields for every
    page, and each page type's own ``api_fields`` stored in the database, which Wagtail
    applies only when ``type`` names that one page type. StreamFields and reverse relations
    are left out: neither is one value to compare with.
    """
    from wagtail.api import APIField
    from wagtail.api.v3.schemas.pages import BASE_PAGE_READ_FIELDS
    from wagtail.fields import StreamField
    from wagtail.models import get_page_models

    fields = {}
    for name in BASE_PAGE_READ_FIELDS:
        field_name = Page._meta.pk.attname if name == "pk" else name
        fields[field_name] = (Page._meta.get_field(field_name), None)
    for model in get_page_models():
        for api_field in APIField.get_fields_for_model(model, db_fields_only=True):
            field = model._meta.get_field(api_field.name)
            base_field = api_field.name in fields and fields[api_field.name][1] is None
            if base_field or not field.concrete or isinstance(field, StreamField):
                continue  # (a reverse relation, an InlinePanel's rows, is not one value either)
            _field, types = fields.setdefault(api_field.name, (field, []))
            types.append(model._meta.label)
    return fields


def _field_schema(field):
    from django.db import models

    if isinstance(field, models.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, models.ForeignKey | models.AutoField | models.IntegerField):
        return {"type": "integer", "maximum": MAX_QUERY_INTEGER}
    if isinstance(field, models.DateTimeField):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, models.DateField):
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def _declare_page_filters(document):
    """Wagtail's page listing filters by page fields named at request time: declare each one."""
    listing = _operation(document, "pages_list")
    if listing is None:
        return
    parameters = listing.setdefault("parameters", [])
    taken = {p["name"] for p in parameters if p.get("in") == "query"}
    for name, (field, types) in sorted(page_filter_fields().items()):
        if name in taken:
            continue  # ``locale``: Wagtail's own filter, by language code
        description = (
            PAGE_FILTER_DESCRIPTION.format(name=name)
            if types is None
            else PAGE_TYPE_FILTER_DESCRIPTION.format(name=name, types=", ".join(f"`{t}`" for t in types))
        )
        parameters.append(
            {
                "in": "query",
                "name": name,
                "required": False,
                "description": description,
                "schema": _field_schema(field),
            }
        )


@cache
def page_read_schema_names():
    """``{component name: page type label}`` of the page read schemas Wagtail's union is made of."""
    from wagtail.api.v3.registry import registry
    from wagtail.models import get_page_models

    names = {}
    for model in get_page_models():
        registration = registry.get(model._meta.label)
        if registration is not None and registration.read_schema is not None:
            names[registration.read_schema.__name__] = model._meta.label
    return names


def _schemas_in(node):
    """Every JSON object at or below ``node`` (schemas among them), depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas_in(value)


def _discriminate_page_unions(document):
    """Give Wagtail's page union an OpenAPI discriminator on a top-level ``type`` (see PAGE_TYPE_PROPERTY).

    Wagtail types each page's ``meta.type`` as its own constant, but a discriminator must
    name a top-level property, and TypeScript narrows a union only on one. So each page
    read schema gets a required ``type`` constant (the server sends it: the middleware
    copies ``meta.type`` into it), and each union of them a ``discriminator`` with its
    ``mapping``. The unions are found wherever they are (a response, a revision's
    ``content_object``).
    """
    schemas = document["components"]["schemas"]
    labels = page_read_schema_names()
    prefix = "#/components/schemas/"
    for name, label in labels.items():
        schema = schemas.get(name)
        if schema is None:
            continue
        schema["properties"] = {
            PAGE_TYPE_PROPERTY: {
                "type": "string",
                "const": label,
                "description": "The page type (the same as `meta.type`): narrows the page union.",
            },
            **schema.get("properties", {}),
        }
        required = schema.setdefault("required", [])
        if PAGE_TYPE_PROPERTY not in required:
            required.insert(0, PAGE_TYPE_PROPERTY)
    for schema in list(_schemas_in(document)):
        variants = schema.get("oneOf")
        if not isinstance(variants, list) or not variants:
            continue
        refs = [variant.get("$ref", "").removeprefix(prefix) for variant in variants]
        if all(ref in labels and ref in schemas for ref in refs):
            schema["discriminator"] = {
                "propertyName": PAGE_TYPE_PROPERTY,
                "mapping": {labels[ref]: prefix + ref for ref in refs},
            }
            schema["description"] = "A page of any type: `type` (the same as `meta.type`) says which."


def page_locations(document):
    """``{(path, method, status): [JSON keys to each page in the answer, () for the answer itself]}``."""
    labels = page_read_schema_names()
    prefix = "#/components/schemas/"
    schemas = document["components"]["schemas"]

    def is_page(schema):
        ref = schema.get("$ref", "").removeprefix(prefix)
        return ref in labels or (
            "discriminator" in schema and schema["discriminator"]["propertyName"] == PAGE_TYPE_PROPERTY
        )

    locations = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            for status, answer in operation.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema is None:
                    continue
                if is_page(schema):
                    locations[(path, method.upper(), int(status))] = [()]
                    continue
                ref = schema.get("$ref", "").removeprefix(prefix)
                properties = (
                    schemas.get(ref, {}).get("properties", {}) if ref else schema.get("properties", {})
                )
                keys = [(key,) for key, value in properties.items() if is_page(value)]
                if keys:
                    locations[(path, method.upper(), int(status))] = keys
    return locations


def _drop_unused_schemas(document):
    """Remove component schemas nothing refers to (Ninja adds one per query-parameter schema)."""
    schemas = document["components"]["schemas"]
    prefix = "#/components/schemas/"
    while True:
        used = (
            {
                node["$ref"].removeprefix(prefix)
                for node in _schemas_in({k: v for k, v in document.items() if k != "components"})
                if isinstance(node.get("$ref"), str)
            }
            | {
                node["$ref"].removeprefix(prefix)
                for name, schema in schemas.items()
                for node in _schemas_in(schema)
                if isinstance(node.get("$ref"), str) and node["$ref"] != prefix + name
            }
            | {
                target.removeprefix(prefix)
                for node in _schemas_in(document)
                if isinstance(node.get("discriminator"), dict)
                for target in node["discriminator"].get("mapping", {}).values()
            }
        )
        unused = set(schemas) - used - {"Problem"}
        if not unused:
            return
        for name in unused:
            del schemas[name]


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


@dataclass(frozen=True)
class OperationRule:
    """What the middleware needs to know of one operation of the fixed document."""

    path: str
    method: str
    pattern: re.Pattern
    operation_id: str | None
    query_names: frozenset
    integers: dict
    page_locations: dict  # {status: [JSON keys to each page in the answer]}


@cache
def _operation_rules(api):
    document = _fixed_document(api)
    locations = page_locations(document)
    rules = []
    for path, operations in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            rules.append(
                OperationRule(
                    path=path,
                    method=method.upper(),
                    pattern=pattern,
                    operation_id=operation.get("operationId"),
                    query_names=frozenset(p["name"] for p in query),
                    integers={
                        p["name"]: p["schema"].get("maximum", MAX_QUERY_INTEGER)
                        for p in query
                        if _is_integer(p)
                    },
                    page_locations={
                        status: keys
                        for (p, m, status), keys in locations.items()
                        if (p, m) == (path, method.upper())
                    },
                )
            )
    return rules


def operation_rule(api, request):
    """The rule of the operation ``request`` reaches, or None (an unknown path or method)."""
    request_method = "GET" if request.method == "HEAD" else request.method
    for rule in _operation_rules(api):
        if rule.method == request_method and rule.pattern.match(request.path):
            return rule
    return None


def unknown_query_parameters(api, request):
    """The query parameters the operation ``request`` reaches does not take (sorted), and the ones it does."""
    rule = operation_rule(api, request)
    if rule is None:
        return [], []
    return sorted(set(request.GET) - rule.query_names), sorted(rule.query_names)


def misapplied_page_filters(api, request):
    """What is wrong with page-type filters (``?intro=``) on the page listing: Wagtail would ignore them.

    Wagtail applies a page type's own fields only when ``type`` names that one type; sent
    otherwise, the filter is silently dropped and every page listed.
    """
    rule = operation_rule(api, request)
    if rule is None or rule.operation_id != "pages_list":
        return []
    requested_types = request.GET.getlist("type")
    problems = []
    for name, (_field, types) in sorted(page_filter_fields().items()):
        if types is None or name not in request.GET:
            continue
        if len(requested_types) != 1 or requested_types[0] not in types:
            problems.append(
                f"{name} filters pages of one type that has it: add type={' or type='.join(types)}"
            )
    return problems


def oversized_integer_parameters(api, request):
    """What is wrong with the integer query parameters of ``request`` no database can count to.

    Only values that are integers are judged here: anything else is the operation's
    own validation error (a 422 problem naming the parameter).
    """
    rule = operation_rule(api, request)
    integers = rule.integers if rule else {}
    oversized = []
    for name in sorted(integers.keys() & set(request.GET)):
        for value in request.GET.getlist(name):
            text = value.strip()
            if re.fullmatch(r"[+-]?[0-9]+", text, flags=re.ASCII) and abs(int(text)) > MAX_QUERY_INTEGER:
                oversized.append(f"{name} must be at most {integers[name]}")
                break
    return oversized


def first_served(request, etag):
    """When the representation ``etag`` of this URL was first served (Unix seconds): its ``Last-Modified``.

    A page's JSON changes with much besides a publish (its rating, a linked page's title,
    the clinic's settings), so no one database column says when it last changed. Its ETag
    does: the first time a new ETag is served for a URL is when the representation
    changed. Kept in the shared cache; a forgotten entry starts again from now, which only
    answers a conditional request 200 rather than 304, never the reverse. A new
    representation is always dated at least a second after the one it replaces, so
    ``If-Modified-Since`` (whole seconds) never takes one for the other.
    """
    key = "api-v3-first-served:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
    stored = shared_cache.get(key)
    if stored is not None and stored[0] == etag:
        return stored[1]
    served = int(time.time())
    if stored is not None:
        served = max(served, stored[1] + 1)
    shared_cache.set(key, (etag, served), timeout=FIRST_SERVED_TIMEOUT)
    return served


def replace_content(response, text):
    """Give ``response`` the body ``text``, and the ``Content-Length`` CommonMiddleware set its own."""
    response.content = text
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))


class APIContractMiddleware:
    """Keeps the v3 API's answers to what its OpenAPI document says (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(V3_PREFIX):
            return self.get_response(request)
        from wagtail.api.v3.urls import api as api_v3

        refused = self.bad_query(api_v3, request)
        if refused:
            return refused
        draft = request.method in {"GET", "HEAD"} and request.GET.get("version") == "draft"
        if draft and "HTTP_AUTHORIZATION" not in request.META and self.is_pages_read(request):
            return self.draft_refused(401)

        self.normalise_find_input(request)
        response = self.get_response(request)
        answered = request
        if response.status_code == 302 and self.url_name(request) in FIND_URL_NAMES:
            answered, response = self.follow_find(request, response)
        if draft and self.is_pages_read(answered) and response.status_code < 400:
            refused = self.draft_refusal(answered)
            if refused:
                return refused
            patch_cache_control(response, private=True, no_store=True)
        response = self.as_problem(response)
        self.locate_errors_as_sent(request, response)
        if response.status_code == 401 and not response.has_header("WWW-Authenticate"):
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        self.add_page_types(api_v3, answered, response)
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

    @staticmethod
    def bad_query(api, request):
        """The 400 problem for query parameters the operation does not take (or cannot count to), else None."""
        unknown, known = unknown_query_parameters(api, request)
        if unknown:
            return problem_response(
                status=400,
                title="Unknown query parameter",
                detail=f"This operation does not take {', '.join(unknown)}. "
                f"It takes: {', '.join(known) or 'no query parameters'}.",
            )
        misapplied = misapplied_page_filters(api, request)
        if misapplied:
            return problem_response(
                status=400, title="Page filter needs a page type", detail="; ".join(misapplied) + "."
            )
        oversized = oversized_integer_parameters(api, request)
        if oversized:
            return problem_response(
                status=400, title="Query parameter out of range", detail="; ".join(oversized) + "."
            )
        return None

    @staticmethod
    def url_name(request):
        match = request.resolver_match
        if match is None:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return None
        return match.url_name

    def normalise_find_input(self, request):
        """``redirects/find?html_path=/old/``: Wagtail stores redirects without the trailing slash
        (``Redirect.normalise_path``) but looks ``html_path`` up as it comes; a browser's path has one."""
        if self.url_name(request) != "find_redirect" or "html_path" not in request.GET:
            return
        from wagtail.contrib.redirects.models import Redirect

        query = request.GET.copy()
        query["html_path"] = Redirect.normalise_path(query["html_path"], decode_unicode=False)
        request.GET = query

    def follow_find(self, request, redirect):
        """``(request, answer)`` of the detail URL Wagtail's ``find`` redirected to, asked for the client.

        What a browser's ``fetch`` would end with, in one round trip, and typed: the
        object, with ``Content-Location`` naming its detail URL.
        """
        location = urlsplit(redirect["Location"])
        detail = copy.copy(request)
        detail.META = {**request.META, "PATH_INFO": location.path, "QUERY_STRING": location.query}
        detail.path = detail.path_info = location.path
        detail.GET = QueryDict(location.query)
        detail.resolver_match = None
        response = self.get_response(detail)
        if response.status_code == 200:
            response["Content-Location"] = location.path
        return detail, response

    @staticmethod
    def as_problem(response):
        """Any error answer that is not a problem document yet (Django's HTML) as one, same status.

        An unknown path (404), a method the path does not take (405, ``Allow`` kept) and an
        unexpected error (500, saying nothing of it) come from Django, not from the API's
        exception handlers. The headers the client acts on are kept.
        """
        if response.status_code < 400 or response.get("Content-Type", "").startswith(PROBLEM_JSON):
            return response
        if response.status_code == 404:
            detail = "There is no API endpoint at this path: see /api/v3/openapi.json for the paths."
        elif response.status_code == 405:
            detail = f"This path does not take this method. It takes: {response.get('Allow') or 'none'}."
        else:
            detail = ""
        problem = problem_response(status=response.status_code, detail=detail)
        for header in KEPT_ERROR_HEADERS:
            if response.has_header(header):
                problem[header] = response[header]
        return problem

    @staticmethod
    def locate_errors_as_sent(request, response):
        """Every 422's ``errors[].loc`` in the one convention the Problem schema states.

        ``[source, names inside it...]`` as the client sent them. Wagtail's operations name
        their body parameter ``data``, which Ninja puts in the location
        (``["body", "data", "title"]``); its own form and filter errors give the bare field
        name (``["title"]``, ``["child_of"]``: from the body of a write, the query of a
        read) or none at all. (The apps' errors already follow it: ``errors_located_as_sent``.)
        """
        if response.status_code != 422 or not response.get("Content-Type", "").startswith(PROBLEM_JSON):
            return
        problem = json.loads(response.content)
        source = "query" if request.method in {"GET", "HEAD"} else "body"
        for error in problem.get("errors") or []:
            loc = error.get("loc")
            if not isinstance(loc, list):
                loc = []
            if loc[:2] == ["body", WAGTAIL_BODY_PARAMETER]:
                loc = ["body", *loc[2:]]
            elif not loc or loc[0] not in ERROR_SOURCES:
                loc = [source, *loc]
            error["loc"] = loc
        replace_content(response, json.dumps(problem))

    @staticmethod
    def add_page_types(api, request, response):
        """Copy each page's ``meta.type`` to its top-level ``type`` (the union's discriminator)."""
        if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
            return
        rule = operation_rule(api, request)
        keys = rule.page_locations.get(response.status_code) if rule else None
        if not keys:
            return
        try:
            data = json.loads(response.content)
        except ValueError:
            return  # A HEAD request's empty body
        for key in keys:
            parent, name = (None, None) if key == () else (data, key[0])
            page = data if parent is None else parent.get(name)
            if not isinstance(page, dict) or not isinstance(page.get("meta"), dict):
                continue
            typed = {PAGE_TYPE_PROPERTY: page["meta"].get("type"), **page}
            if parent is None:
                data = typed
            else:
                parent[name] = typed
        replace_content(response, json.dumps(data, cls=DjangoJSONEncoder))

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
        last_modified = first_served(request, response["ETag"])
        response["Last-Modified"] = http_date(last_modified)
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )

    def is_pages_read(self, request):
        """Whether ``request`` reaches Wagtail's page detail or find (the operations taking ``version``)."""
        return self.url_name(request) in DRAFT_OPERATIONS

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
            return None
        page = Page.objects.filter(pk=page_id).first()
        if page is None or not page.permissions_for_user(user).can_edit():
            return self.draft_refused(403)
        return None
