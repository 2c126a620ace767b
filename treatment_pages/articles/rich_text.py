"""Rich text page links that read pages preloaded for an API listing.

Resolving ``<a linktype="page" id="...">`` costs two queries per rich text value;
inside ``treatment_pages.articles.prefetch.prefetched_choosers`` the pages are already
loaded for the whole listing. Everywhere else this is Wagtail's own handler.
"""

from wagtail.rich_text.pages import PageLinkHandler

from treatment_pages.articles.prefetch import RICH_TEXT_PAGES, get_prefetched


class PrefetchedPageLinkHandler(PageLinkHandler):
    @classmethod
    def get_many(cls, attrs_list):
        loaded = get_prefetched(RICH_TEXT_PAGES)
        if loaded is None:
            return super().get_many(attrs_list)
        ids = [str(attrs.get("id")) for attrs in attrs_list]
        if not all(pk in loaded for pk in ids):
            return super().get_many(attrs_list)
        return [loaded[pk] for pk in ids]
