"""API fields (Wagtail's v2 DRF API) for treatment pages that a plain model field cannot give.

Each ``to_representation`` carries a return annotation: Wagtail's v3 API types the
field from it in the OpenAPI document.
"""

import datetime

from rest_framework.fields import Field
from typing_extensions import TypedDict  # pydantic (the v3 schema) needs it before Python 3.12
from wagtail.models import Page

from treatment_pages.articles.renditions import ImageWithRenditionsDict, image_api_representation


class BreadcrumbDict(TypedDict):
    id: int
    title: str
    url: str | None


def breadcrumb_ancestors(page):
    """The live ancestors shown in the page's breadcrumb (below the tree root), top first."""
    prefetched = getattr(page, "_api_breadcrumb_ancestors", None)
    if prefetched is not None:
        return prefetched
    return list(page.get_ancestors().filter(depth__gt=1).live())


def attach_breadcrumb_ancestors(pages):
    """Load every listed page's breadcrumb ancestors in one query (not one per page)."""
    pages = list(pages)
    paths_by_page = {}
    for page in pages:
        steplen = page.steplen
        # A page's ancestors are the prefixes of its tree path, one step per level.
        paths_by_page[page.pk] = [page.path[: steplen * depth] for depth in range(2, page.depth)]
    wanted = {path for paths in paths_by_page.values() for path in paths}
    found = (
        {ancestor.path: ancestor for ancestor in Page.objects.filter(path__in=wanted).live()}
        if wanted
        else {}
    )
    for page in pages:
        page._api_breadcrumb_ancestors = [found[path] for path in paths_by_page[page.pk] if path in found]


class BreadcrumbField(Field):
    """``[{"id", "title", "url"}]``: the links in the page's breadcrumb, top first."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page) -> list[BreadcrumbDict]:
        # v3 binds this field without a parent serializer, hence no context there.
        request = self.context.get("request")
        return [
            {"id": ancestor.pk, "title": ancestor.title, "url": ancestor.get_url(request)}
            for ancestor in breadcrumb_ancestors(page)
        ]


class ImageRenditionsField(Field):
    """An image as id, title and renditions at the API's named sizes (never a size from the query)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, image) -> ImageWithRenditionsDict | None:
        return image_api_representation(image)


class RatingSummaryDict(TypedDict):
    page_id: int
    count: int
    total: int
    average: float | None
    best_rating: int
    worst_rating: int
    text: str


class RatingSummaryField(Field):
    """The page's public rating summary, as the article shows it (``text``)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page) -> RatingSummaryDict:
        # ``rating_summary`` is cached per page; listings fill it for all pages in one query.
        return page.rating_summary.as_dict()


class DateValueField(Field):
    """A date-valued attribute (e.g. a property), as an ISO date; typed ``date`` in the v3 schema."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> datetime.date:
        return value
