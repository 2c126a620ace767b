import json

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from treatment_pages.caching import FRAGMENT_SECONDS, content_version

register = template.Library()

# Characters that could close the <script> element or open an HTML comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Render a dict as a ``<script type="application/ld+json">`` data block."""
    payload = json.dumps(data, default=str, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag(takes_context=True)
def breadcrumb(context, page):
    """Ancestors of ``page`` below the tree root, then the page itself.

    Cached per page and host under :func:`content_version` (any page change retires it),
    so rendering an article costs no query for it.
    """
    request = context.get("request")
    version = content_version(request)
    host = request.get_host() if request is not None else ""
    key = f"treatment_pages:breadcrumb:{version}:{host}:{page.pk}"
    html = cache.get(key) if version is not None else None
    if html is None:
        ancestors = page.get_ancestors().filter(depth__gt=1).live()
        html = render_to_string(
            "treatment_pages/includes/breadcrumb.html",
            {"ancestors": ancestors, "page": page},
            request=request,
        )
        if version is not None:
            cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own template


@register.simple_tag(takes_context=True)
def page_content_version(context):
    """:func:`treatment_pages.caching.content_version` for ``{% cache %}`` keys in templates."""
    return content_version(context.get("request"))
