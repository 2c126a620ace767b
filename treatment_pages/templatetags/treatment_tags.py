import json

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Site

from treatment_pages.caching.policy import (
    FRAGMENT_SECONDS,
    article_version,
    body_version,
    content_version,
    navigation_version,
)
from treatment_pages.conf import app_settings

register = template.Library()

BREADCRUMB_TEMPLATE = "treatment_pages/includes/breadcrumb.html"

# Characters that could close the <script> element or open an HTML comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Render a dict as a ``<script type="application/ld+json">`` data block."""
    payload = json.dumps(data, default=str, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag(takes_context=True)
def page_json_ld(context, page):
    """Every JSON-LD block of ``page`` (``treatment_pages.articles.seo.page_json_ld``: the seo
    endpoint answers the same list)."""
    from treatment_pages.articles.seo import page_json_ld as json_ld_for

    return format_html_join(
        "", "{}", ((json_ld(block),) for block in json_ld_for(page, context.get("request")))
    )


@register.simple_tag
def treatment_pages_frontend():
    """What the app's page templates add around the host's base template, from the settings.

    ``{% treatment_pages_frontend as frontend %}`` then ``frontend.assets``
    (``TREATMENT_PAGES_FRONTEND_ASSETS``: the app's own stylesheet and scripts) and
    ``frontend.breadcrumb`` (``TREATMENT_PAGES_BREADCRUMB``). Read per render, so
    ``override_settings`` and a host's settings both apply.
    """
    return {
        "assets": bool(app_settings.TREATMENT_PAGES_FRONTEND_ASSETS),
        "breadcrumb": bool(app_settings.TREATMENT_PAGES_BREADCRUMB),
    }


def parents_below_root(page, request=None):
    """``page``'s ancestors below the tree root, top down.

    Kept in the cache by the parent's place in the tree under :func:`navigation_version`
    (which any change to a page with children bumps), so an article's own publish renders
    its breadcrumb again without a query; one query when they are not cached.
    """
    version = navigation_version(request)
    key = f"treatment_pages:ancestors:{version}:{page.path[: -page.steplen]}"
    ancestors = cache.get(key) if version is not None else None
    if ancestors is None:
        ancestors = list(page.get_ancestors().filter(depth__gt=1).specific(defer=True))
        if version is not None:
            cache.set(key, ancestors, FRAGMENT_SECONDS)
    return ancestors


@register.simple_tag(takes_context=True)
def breadcrumb(context, page=None, current_title="", current_url=""):
    """Ancestors of ``page`` below the tree root, then the page itself.

    For a view that is not a page (search), pass no page but ``current_title`` and
    ``current_url``: the trail is the site's home page, then that view. A page's
    trail is cached per page, its published state (``page.cache_key``: title and URL) and
    host under :func:`navigation_version` (a change to a page with children, a site's root
    or a menu page retires it; a publish of an article elsewhere does not), so rendering an
    article costs no query for it until one of those changes.
    """
    request = context.get("request")
    if page is None:
        site = Site.find_for_request(request) if request is not None else None
        ancestors = [site.root_page.specific] if site is not None else []
        return render_to_string(
            BREADCRUMB_TEMPLATE,
            {
                "ancestors": ancestors,
                "page": None,
                "current_title": current_title,
                "current_url": current_url,
            },
            request=request,
        )
    version = navigation_version(request)
    host = request.get_host() if request is not None else ""
    key = f"treatment_pages:breadcrumb:{version}:{host}:{get_language()}:{page.pk}:{page.cache_key}"
    html = cache.get(key) if version is not None else None
    if html is None:
        ancestors = [ancestor for ancestor in parents_below_root(page, request) if ancestor.live]
        html = render_to_string(BREADCRUMB_TEMPLATE, {"ancestors": ancestors, "page": page}, request=request)
        if version is not None:
            cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own template


@register.simple_tag(takes_context=True)
def page_content_version(context):
    """:func:`treatment_pages.caching.policy.content_version` for ``{% cache %}`` keys in templates."""
    return content_version(context.get("request"))


@register.simple_tag(takes_context=True)
def page_navigation_version(context):
    """:func:`treatment_pages.caching.policy.navigation_version` for ``{% cache %}`` keys of a
    site's navigation: it changes when a menu page, a site or the clinic settings change."""
    return navigation_version(context.get("request"))


@register.simple_tag
def article_page_version(page):
    """:func:`treatment_pages.caching.policy.article_version`: what an article page's cached
    parts beside its body show, apart from its published revision."""
    return article_version(page)


@register.simple_tag
def article_body_version(page):
    """:func:`treatment_pages.caching.policy.body_version`: what the article's cached body shows."""
    return body_version(page)


@register.simple_tag(takes_context=True)
def page_seo(context, page):
    """The page's SEO and Open Graph values (``treatment_pages.articles.seo.page_seo``; the API gives the same)."""
    from treatment_pages.articles.seo import page_seo as seo_for

    return seo_for(page, context.get("request"))
