"""The reference site's v2 read API (DRF): Wagtail's endpoints, tuned for its pages.

The v3 API (django-ninja, OpenAPI) needs nothing here: Wagtail's apps and ours
(``treatment_pages.api.routers``, ``lead_forms.api.routers``) add their routers to
``wagtail.api.v3.urls.api`` from their ``ready()``, and ``cms_site.urls`` mounts it.
"""

from django.utils.cache import patch_cache_control
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.api.v2.views import ImagesAPIViewSet

from treatment_pages.api.routers import PreviewExpired, draft_from_preview_token
from treatment_pages.articles.prefetch import prefetched_choosers
from treatment_pages.articles.renditions import API_RENDITION_SPECS
from treatment_pages.articles.serializers import attach_breadcrumb_ancestors

# The largest OFFSET PostgreSQL and SQLite take (a 64-bit integer); beyond it the query fails.
MAX_OFFSET = 2**63 - 1
SEARCH_OPERATORS = ("and", "or")


class BoundedQueryMixin:
    """Refuses, as a 400 naming the parameter, listing inputs Wagtail would pass on to the database.

    Wagtail's v2 listings check that ``offset`` is a positive integer, not that a
    database can count to it (``offset=2**63`` was a 500 on both backends), and
    hand ``search_operator`` to the search backend unchecked (``xor`` was a 500).
    ``check_query_parameters`` is the viewset's own hook for checks before the query.
    """

    def check_query_parameters(self, queryset):
        super().check_query_parameters(queryset)
        offset = self.request.GET.get("offset", "").strip()
        if offset.isascii() and offset.isdigit() and int(offset) > MAX_OFFSET:
            raise BadRequestError(f"offset must be at most {MAX_OFFSET}")
        operator = self.request.GET.get("search_operator")
        if operator is not None and operator not in SEARCH_OPERATORS:
            raise BadRequestError(
                "search_operator must be one of " + ", ".join(repr(choice) for choice in SEARCH_OPERATORS)
            )


class ClinicPagesAPIViewSet(BoundedQueryMixin, PagesAPIViewSet):
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
    here can read it. The same rules as v3's ``/preview/``: the link expires after a
    day (403), and the answer is never for a cache (``private, no-store``).
    """

    known_query_parameters = ClinicPagesAPIViewSet.known_query_parameters.union(["content_type", "token"])
    name = "page_preview"

    def listing_view(self, request):
        # One draft, serialised with the detail view's fields (get_serializer_class reads the action).
        self.action = "detail_view"
        page = self.get_object()
        with prefetched_choosers([page]):
            response = Response(self.get_serializer(page).data)
        patch_cache_control(response, private=True, no_store=True)
        return response

    def detail_view(self, request, pk):
        return self.listing_view(request)

    def get_object(self):
        try:
            return draft_from_preview_token(
                self.request.GET.get("content_type", ""), self.request.GET.get("token", "")
            )
        except PreviewExpired as e:
            raise PermissionDenied(
                "Preview expired: this preview link is more than a day old. Open the preview again from the editor."
            ) from e


def _rendition_fields():
    return [
        APIField(name, serializer=ImageRenditionField(spec, source="*"))
        for name, spec in API_RENDITION_SPECS.items()
    ]


class ClinicImagesAPIViewSet(BoundedQueryMixin, ImagesAPIViewSet):
    """Images with renditions at the API's named sizes only (a query string cannot ask for others)."""

    body_fields = ImagesAPIViewSet.body_fields + _rendition_fields()
    listing_default_fields = ImagesAPIViewSet.listing_default_fields + ["thumbnail"]

    def get_queryset(self):
        return super().get_queryset().prefetch_renditions(*API_RENDITION_SPECS.values())


class ClinicDocumentsAPIViewSet(BoundedQueryMixin, DocumentsAPIViewSet):
    """Wagtail's documents endpoint, with its listing inputs bounded (``BoundedQueryMixin``)."""


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", ClinicPagesAPIViewSet)
api_router.register_endpoint("images", ClinicImagesAPIViewSet)
api_router.register_endpoint("documents", ClinicDocumentsAPIViewSet)
api_router.register_endpoint("page_preview", PagePreviewAPIViewSet)
