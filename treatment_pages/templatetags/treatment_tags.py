import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.models import Site

register = template.Library()

# Characters that could close the <script> element or open an HTML comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Render a dict as a ``<script type="application/ld+json">`` data block."""
    payload = json.dumps(data, default=str, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.inclusion_tag("treatment_pages/includes/breadcrumb.html", takes_context=True)
def breadcrumb(context, page=None, current_title="", current_url=""):
    """Ancestors of ``page`` below the tree root, then the page itself.

    For a view that is not a page (search), pass no page but ``current_title`` and
    ``current_url``: the trail is the site's home page, then that view.
    """
    request = context.get("request")
    if page is not None:
        ancestors = page.get_ancestors().filter(depth__gt=1).live().specific()
    else:
        site = Site.find_for_request(request) if request is not None else None
        ancestors = [site.root_page.specific] if site is not None else []
    return {
        "ancestors": ancestors,
        "page": page,
        "current_title": current_title,
        "current_url": current_url,
        "request": request,
    }


@register.simple_tag(takes_context=True)
def page_seo(context, page):
    """The page's SEO and Open Graph values (``treatment_pages.seo.page_seo``; the API gives the same)."""
    from treatment_pages.seo import page_seo as seo_for

    return seo_for(page, context.get("request"))
