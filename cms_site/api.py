"""The headless API: Wagtail's v2 read API (DRF) and its v3 API (django-ninja, OpenAPI).

The reusable apps define their own endpoints (``treatment_pages.api``,
``lead_forms.api``); this module mounts them, because only the project knows
which apps it has.
"""

from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.api.v2.views import ImagesAPIViewSet

from treatment_pages.prefetch import prefetched_choosers
from treatment_pages.renditions import API_RENDITION_SPECS
from treatment_pages.serializers import attach_breadcrumb_ancestors


class ClinicPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint, with listings whose query count does not grow with their length.

    Stock Wagtail runs one query per listed page for its locale (the ``locale``
    meta field reads ``page.locale``, which the queryset does not join); ours joins
    it, lets the page model join its own relations (``optimise_api_queryset``) and
    loads StreamField images, linked pages and breadcrumbs once for the whole list.
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
        attach_breadcrumb_ancestors(pages)
        with prefetched_choosers(pages):
            serializer = self.get_serializer(pages, many=True)
            data = serializer.data
        return self.get_paginated_response(data)

    def detail_view(self, request, pk):
        page = self.get_object()
        with prefetched_choosers([page]):
            return super().detail_view(request, pk)


def _rendition_fields():
    return [
        APIField(name, serializer=ImageRenditionField(spec, source="*")) for name, spec in API_RENDITION_SPECS.items()
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


# v3: Wagtail's django-ninja API (pages, images, documents, sites, whoami) plus our routers.
# Routers must be added before ``api_v3.urls`` is first read (cms_site.urls does that).
from wagtail.api.v3.urls import api as api_v3  # noqa: E402
