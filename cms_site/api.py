"""The headless API: Wagtail's v2 read API (DRF) and its v3 API (django-ninja, OpenAPI).

The reusable apps define their own endpoints (``treatment_pages.api``,
``lead_forms.api``); this module mounts them, because only the project knows
which apps it has.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import RequestDataTooBig
from django.core.signing import BadSignature
from django.db.models import ProtectedError
from django.http import Http404
from ninja import Query, Router
from rest_framework.response import Response
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.errors import problem_response
from wagtail.api.v3.routers.pages import PageDetailSchema
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
        return draft_from_preview_token(
            self.request.GET.get("content_type", ""), self.request.GET.get("token", "")
        )


def draft_from_preview_token(content_type, token):
    """The draft an editor's headless preview signed ``token`` for; Http404 for anything else."""
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
preview_router = Router(tags=["pages"])


@preview_router.get(
    "/",
    response=PageDetailSchema,
    url_name="page_preview",
    operation_id="pages_preview",
    summary="A draft of any page type, as an editor's headless preview sent it",
)
def page_preview(
    request,
    content_type: str = Query(..., max_length=100, description="`app_label.model` from the preview URL."),
    token: str = Query(..., max_length=500, description="The signed token from the preview URL."),
):
    return draft_from_preview_token(content_type, token)


api_v3.add_router("/clinic-contact/", treatment_api.contact_router)
api_v3.add_router("/preview/", preview_router)
api_v3.add_router("/", treatment_api.content_router)


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


def request_too_large(request, exc):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413 as a problem document.

    Django raises ``RequestDataTooBig`` when the view first reads the body; without
    this handler Wagtail's catch-all answers 500 with DEBUG on, and Django an HTML
    400 with it off.
    """
    return problem_response(
        status=413,
        title="Request body too large",
        detail=f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes. Send a smaller one.",
    )


api_v3.add_exception_handler(RequestDataTooBig, request_too_large)
