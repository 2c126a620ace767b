from wagtail import hooks

from cms_site import page_cache


@hooks.register("before_serve_page")
def offer_page_to_page_cache(page, request, serve_args, serve_kwargs):
    """Let the page cache store this response if the page's type opted in (never blocks serving)."""
    page_cache.mark_page_cacheable(page, request)
