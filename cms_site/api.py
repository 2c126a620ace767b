"""The headless API: Wagtail's v2 read API (DRF) and its v3 API (django-ninja, OpenAPI).

The reusable apps define their own endpoints (``treatment_pages.api``,
``lead_forms.api``); this module mounts them, because only the project knows
which apps it has.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.signing import BadSignature
from django.db.models import ProtectedError
from django.http import Http404
from rest_framework.response import Response
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.errors import PROBLEM_JSON, problem_response
from wagtail.api.v3.urls import api as api_v3
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page

from lead_forms import api as lead_forms_api
from lead_forms import deletion
from lead_forms.models import AppointmentSubmission
from treatment_pages import api as treatment_api
from treatment_pages.prefetch import prefetched_choosers
from treatment_pages.renditions import API_RENDITION_SPECS
from treatment_pages.serializers import attach_breadcrumb_ancestors


class ClinicPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint, with listings whose query count does not grow with their length.

    Stock Wagtail runs one query per listed page for its locale (the ``locale``
    meta field reads ``page.locale``, which the queryset does not join); ours joins
    it, lets the page model join its own relations (``optimise_api_queryset``) and
    load per-page data in bulk (``prepare_api_listing``), and loads StreamField
    images, linked pages and breadcrumbs once for the whole list.
    """

    def get_queryset(self):
        queryset = super().get_queryset().select_related("locale")
        optimise = getattr(queryset.model, "optimise_api_queryset", None)
        return optimise(queryset) if optimise else queryset

    def listing_view(self, request):
        queryset = self.get_queryset()
        self.check_query_parameters(queryset)
        queryset = self.filter_queryset(queryset)
        pages = list(self.paginate_queryset(queryset))
        serializer = self.get_serializer(pages, many=True)
        # Load only what the requested fields read.
        field_names = set(serializer.child.fields)
        if "breadcrumbs" in field_names:
            attach_breadcrumb_ancestors(pages)
        prepare = getattr(queryset.model, "prepare_api_listing", None)
        if prepare:
            prepare(pages, field_names)
        with prefetched_choosers(pages, field_names):
            data = serializer.data
        return self.get_paginated_response(data)

    def detail_view(self, request, pk):
        page = self.get_object()
        with prefetched_choosers([page]):
            return super().detail_view(request, pk)


class PagePreviewAPIViewSet(ClinicPagesAPIViewSet):
    """A draft as the front end previews it: ``?content_type=app.model&token=...``.

    The token is the one wagtail-headless-preview signs when an editor opens the
    preview; it names a stored draft, so only someone the editor's preview sent
    here can read it (drafts expire after a day).
    """

    known_query_parameters = ClinicPagesAPIViewSet.known_query_parameters.union(["content_type", "token"])
    name = "page_preview"

    def listing_view(self, request):
        # One draft, serialised with the detail view's fields (get_serializer_class reads the action).
        self.action = "detail_view"
        page = self.get_object()
        with prefetched_choosers([page]):
            return Response(self.get_serializer(page).data)

    def detail_view(self, request, pk):
        return self.listing_view(request)

    def get_object(self):
        content_type = self.request.GET.get("content_type", "")
        token = self.request.GET.get("token", "")
        app_label, _, model_name = content_type.partition(".")
        try:
            model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
        except ContentType.DoesNotExist as e:
            raise Http404("No such preview.") from e
        if model is None or not hasattr(model, "get_page_from_preview_token"):
            raise Http404("No such preview.")
        try:
            page = model.get_page_from_preview_token(token)
        except BadSignature as e:
            raise Http404("No such preview.") from e
        if page is None:
            raise Http404("No such preview.")
        return page


def _rendition_fields():
    return [
        APIField(name, serializer=ImageRenditionField(spec, source="*"))
        for name, spec in API_RENDITION_SPECS.items()
    ]


class ClinicImagesAPIViewSet(ImagesAPIViewSet):
    """Images with renditions at the API's named sizes only (a query string cannot ask for others)."""

    body_fields = ImagesAPIViewSet.body_fields + _rendition_fields()
    listing_default_fields = ImagesAPIViewSet.listing_default_fields + ["thumbnail"]

    def get_queryset(self):
        return super().get_queryset().prefetch_renditions(*API_RENDITION_SPECS.values())


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", ClinicPagesAPIViewSet)
api_router.register_endpoint("images", ClinicImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
api_router.register_endpoint("page_preview", PagePreviewAPIViewSet)


# v3: Wagtail's django-ninja API (pages, images, documents, snippets, redirects, sites,
# whoami; Wagtail's apps add theirs on start-up) plus ours. Routers must be added
# before ``api_v3.urls`` is first read, which cms_site.urls does after importing this.
api_v3.add_router("/clinic-contact/", treatment_api.contact_router)


@api_v3.exception_handler(ProtectedError)
def refuse_deleting_protected_pages(request, exc):
    """Deleting a page whose appointment requests (or other PROTECTed rows) point to it: 409, audited."""
    held = [obj for obj in exc.protected_objects if isinstance(obj, AppointmentSubmission)]
    # A bearer token stands for its user; a session request has request.user.
    user = getattr(getattr(request, "auth", None), "user", None) or getattr(request, "user", None)
    for page_id in sorted({submission.page_id for submission in held}):
        page = Page.objects.filter(pk=page_id).first()
        if page is not None:
            deletion.log_refusal(page, user, sum(1 for s in held if s.page_id == page_id), "api")
    return problem_response(
        status=409,
        title="Conflict",
        detail=deletion.refusal_message(len(held)) if held else "Other records still depend on this.",
    )


api_v3.add_router("/forms/", lead_forms_api.router)
api_v3.add_router("/ratings/", treatment_api.ratings_router)
api_v3.add_router("/appointment-requests/", lead_forms_api.staff_router)


# Every v3 error (Wagtail's handlers in wagtail.api.v3.errors, and ours) is an RFC 7807
# document, but operations only declare their success responses. Declaring the problem
# responses once, here, gives clients (and the schema fuzz test) the real contract.
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
PROBLEM_RESPONSES = {
    400: "Bad request: a query parameter is malformed",
    401: "No valid bearer token (missing, unknown, revoked, or its user is inactive)",
    403: "The token's user lacks the permission, or the Origin is not allowed",
    404: "Not found",
    422: "Validation failed: `errors` lists each problem and where it is",
}
RATE_LIMITED_DESCRIPTION = "Too many requests from this client: try again after `Retry-After` seconds"


def _problem_response(description):
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}


def _routers_of(router):
    yield router
    for _prefix, child, *_rest in router._routers:
        yield from _routers_of(child)


def document_problem_responses(api):
    """Add the RFC 7807 error responses to every operation of ``api`` that does not declare them.

    An operation that lists a status in ``openapi_extra["responses"]`` without content
    (e.g. 429 on rate-limited endpoints) gets the problem schema for it too. Must run
    before the API's URLs or schema are first built (Ninja copies operations then).
    """
    for _prefix, top_router, *_rest in api._router_registrations:
        for router in _routers_of(top_router):
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    extra = dict(operation.openapi_extra or {})
                    responses = dict(extra.get("responses", {}))
                    for status, description in PROBLEM_RESPONSES.items():
                        if status not in operation.response_models:
                            responses.setdefault(status, _problem_response(description))
                    for status, declared in list(responses.items()):
                        if isinstance(declared, dict) and "content" not in declared:
                            description = declared.get("description") or RATE_LIMITED_DESCRIPTION
                            responses[status] = {**declared, **_problem_response(description)}
                    extra["responses"] = responses
                    operation.openapi_extra = extra


document_problem_responses(api_v3)
