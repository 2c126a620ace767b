"""What a page tells search engines and link previews, for the HTML head and the API alike.

``page_seo`` gives the title, description, canonical URL and Open Graph image;
``page_json_ld`` the schema.org data blocks. Page types add JSON-LD by defining
``get_structured_data(request)`` (a dict, or a list of dicts); nothing else is needed.
"""

from typing import Any

from django.utils.html import strip_tags
from django.utils.text import Truncator
from typing_extensions import TypedDict  # pydantic (the v3 schema) needs it before Python 3.12

OG_IMAGE_SPEC = "fill-1200x630"
DESCRIPTION_WORDS = 40


class SEODict(TypedDict):
    title: str
    description: str
    canonical_url: str | None
    og_type: str
    og_image: str | None


def page_seo(page, request=None) -> SEODict:
    """The page's ``<title>``/description/canonical/Open Graph values (the HTML head shows the same)."""
    description = page.search_description or getattr(page, "intro", "") or ""
    hero = getattr(page, "hero_image", None)
    og_image = None
    if hero is not None:
        rendition = hero.get_rendition(OG_IMAGE_SPEC)
        og_image = rendition.full_url if request is None else request.build_absolute_uri(rendition.url)
    return {
        "title": page.seo_title or page.title,
        "description": Truncator(strip_tags(description)).words(DESCRIPTION_WORDS),
        "canonical_url": page.get_full_url(request),
        "og_type": getattr(page, "og_type", "website"),
        "og_image": og_image,
    }


def page_json_ld(page, request=None) -> list[dict[str, Any]]:
    """The page's JSON-LD blocks, as the HTML page embeds them."""
    get_structured_data = getattr(page, "get_structured_data", None)
    if get_structured_data is None:
        return []
    data = get_structured_data(request)
    if not data:
        return []
    return list(data) if isinstance(data, list | tuple) else [data]
