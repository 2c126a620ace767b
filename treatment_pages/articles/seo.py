"""What a page tells search engines and link previews, for the HTML head and the API alike.

``page_seo`` gives the title, description, canonical URL, language alternates and Open
Graph image; ``page_json_ld`` the schema.org data blocks. Page types add JSON-LD by
defining ``get_structured_data(request)`` (a dict, or a list of dicts); the HTML
(``{% page_json_ld page %}``) and ``/api/v3/seo/{id}/`` both read it through
``page_json_ld``, so they cannot differ.

Canonical URLs point at ``TREATMENT_PAGES_FRONTEND_BASE_URL`` when a separate front end
serves the pages (headless), else at the page's own URL on this site.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import Truncator
from typing_extensions import TypedDict  # pydantic (the v3 schema) needs it before Python 3.12
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Locale

from treatment_pages.conf import app_settings

OG_IMAGE_SPEC = "fill-1200x630"
DESCRIPTION_WORDS = 40


class AlternateDict(TypedDict):
    hreflang: str
    href: str


class SEODict(TypedDict):
    title: str
    description: str
    canonical_url: str | None
    alternates: list[AlternateDict]
    og_type: str
    og_image: str | None


def frontend_base_url():
    """``TREATMENT_PAGES_FRONTEND_BASE_URL`` without its trailing slash, or "" when pages are served here."""
    return (app_settings.TREATMENT_PAGES_FRONTEND_BASE_URL or "").rstrip("/")


def canonical_url(page, request=None):
    """The page's public address: on the front end when one is configured, else on this site."""
    base = frontend_base_url()
    if not base:
        return page.get_full_url(request)
    url_parts = page.get_url_parts(request)
    if url_parts is None:
        return None  # not routable from any site
    _site_id, _root_url, page_path = url_parts
    return base + page_path


def language_alternates(page, request=None) -> list[AlternateDict]:
    """``hreflang`` alternates: each live, public translation of ``page`` (itself included) and an
    ``x-default`` for the default locale's, or none when the page exists in one language only."""
    # Without Wagtail's i18n a page has no translations (as ``Page.localized`` assumes). With it,
    # most pages still exist in one language: a plain query says so without ``public()``,
    # which loads every view restriction of the site to build its filter.
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return []
    if not page.get_translations().live().exists():
        return []
    translations = list(page.get_translations(inclusive=True).live().public().select_related("locale"))
    if len(translations) < 2:
        return []
    alternates = []
    default_href = None
    default_locale_id = Locale.get_default().pk
    for translation in sorted(translations, key=lambda t: t.locale.language_code):
        href = canonical_url(translation, request)
        if href is None:
            continue
        alternates.append({"hreflang": translation.locale.language_code, "href": href})
        if translation.locale_id == default_locale_id:
            default_href = href
    if default_href:
        alternates.append({"hreflang": "x-default", "href": default_href})
    return alternates


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
        "canonical_url": canonical_url(page, request),
        "alternates": language_alternates(page, request),
        "og_type": getattr(page, "og_type", "website"),
        "og_image": og_image,
    }


def page_json_ld(page, request=None) -> list[dict[str, Any]]:
    """The page's JSON-LD blocks: what the HTML page embeds and the seo endpoint answers."""
    get_structured_data = getattr(page, "get_structured_data", None)
    if get_structured_data is None:
        return []
    data = get_structured_data(request)
    if not data:
        return []
    return [block for block in data if block] if isinstance(data, list | tuple) else [data]


class FrontendSitemap(Sitemap):
    """Wagtail's sitemap with every URL on the front end when ``TREATMENT_PAGES_FRONTEND_BASE_URL`` is set.

    Page types list their URLs themselves (``get_sitemap_urls``, a host's included), so the
    addresses are moved to the front end's origin here, once for all of them.
    """

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = frontend_base_url()
        if base:
            for url_info in urls:
                parts = urlsplit(url_info["location"])
                url_info["location"] = base + parts.path + (f"?{parts.query}" if parts.query else "")
        return urls
