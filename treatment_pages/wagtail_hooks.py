from wagtail import hooks

from treatment_pages.rich_text import PrefetchedPageLinkHandler


# Ordered after Wagtail's own registration of the "page" link type, which it replaces.
@hooks.register("register_rich_text_features", order=100)
def register_prefetched_page_links(features):
    features.register_link_type(PrefetchedPageLinkHandler)
