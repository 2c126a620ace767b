"""Load what many pages' StreamFields point at in one query per model, not one per page.

An API listing of fifty articles with their bodies would otherwise run one
image query and one page query per article (each StreamValue converts its own
chooser ids). Inside ``prefetched_choosers(pages)`` the chooser blocks of those
pages' bodies read the objects loaded here instead; see
``PrefetchedChoosersMixin`` in ``blocks.py``.
"""

import contextvars
import re
from collections import defaultdict
from contextlib import contextmanager

from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Page

from treatment_pages.articles.renditions import API_RENDITION_SPECS
from treatment_pages.articles.stored_data import stored_leaves

# Key for the specific pages linked from rich text (keyed by str(pk), as link handlers see ids).
RICH_TEXT_PAGES = "rich_text_pages"
_PAGE_LINK = re.compile(r"""<a\b[^>]*\blinktype=["']page["'][^>]*>""")
_ID_ATTRIBUTE = re.compile(r"""\bid=["'](\d+)["']""")

_prefetched = contextvars.ContextVar("treatment_pages_prefetched_choosers", default=None)


def get_prefetched(model):
    """The ``{pk: instance}`` loaded for ``model`` (or ``RICH_TEXT_PAGES``) in the current context, or None."""
    loaded = _prefetched.get()
    if loaded is None:
        return None
    return loaded.get(model)


def _collect(block, raw, found):
    """Gather the chooser ids in raw (database JSON) block data, by model."""
    for leaf, value in stored_leaves(block, raw):
        if isinstance(leaf, blocks.ChooserBlock):
            # Registered even when empty, so an unset chooser does not fall back to a query.
            chosen = found[leaf.model_class]
            if isinstance(value, int):
                chosen.add(value)
        elif isinstance(leaf, blocks.RichTextBlock) and isinstance(value, str):
            for tag in _PAGE_LINK.findall(value):
                if match := _ID_ATTRIBUTE.search(tag):
                    found[RICH_TEXT_PAGES].add(int(match.group(1)))


@contextmanager
def prefetched_choosers(pages, field_names=None):
    """Preload the images and pages chosen in ``pages``' StreamFields (those named in
    ``field_names``, or all) for the ``with`` body."""
    found = defaultdict(set)
    for page in pages:
        for field in page._meta.concrete_fields:
            if isinstance(field, StreamField) and (field_names is None or field.name in field_names):
                value = getattr(page, field.attname)
                _collect(field.stream_block, list(value.raw_data), found)

    image_model = get_image_model()
    loaded = {}
    rich_text_page_ids = found.pop(RICH_TEXT_PAGES, set())
    # Always set, even when empty: "nothing linked" must not fall back to per-page queries.
    loaded[RICH_TEXT_PAGES] = (
        {
            str(page.pk): page
            for page in Page.objects.filter(pk__in=rich_text_page_ids).defer_streamfields().specific()
        }
        if rich_text_page_ids
        else {}
    )
    for model, pks in found.items():
        if not pks:
            loaded[model] = {}
            continue
        queryset = model._default_manager.filter(pk__in=pks)
        if issubclass(model, image_model):
            queryset = queryset.prefetch_renditions(*API_RENDITION_SPECS.values())
        loaded[model] = {obj.pk: obj for obj in queryset}

    token = _prefetched.set(loaded)
    try:
        yield
    finally:
        _prefetched.reset(token)
