from django.utils.module_loading import import_string
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page

from treatment_pages.blocks import TreatmentBodyBlock


def plain(block):
    """``block`` rebuilt from Wagtail's own block classes, as a migration stores it
    (``deconstruct``): the same data shape, rendered by Wagtail's default block rendering
    (no templates, no prefetching, no computed values of ours)."""
    path, args, kwargs = block.deconstruct()
    cls = import_string(path)
    # A class of ours that deconstructs to itself (ParagraphBlock): its nearest Wagtail base.
    cls = next(base for base in cls.__mro__ if base.__module__.startswith("wagtail."))
    if cls is blocks.FieldBlock:  # LinesBlock: a list of strings, as a stock site would store it
        return blocks.ListBlock(blocks.CharBlock(), **kwargs)
    if issubclass(cls, blocks.StructBlock | blocks.StreamBlock) and args:
        args = ([(name, plain(child)) for name, child in args[0]], *args[1:])
    elif issubclass(cls, blocks.ListBlock) and args:
        args = (plain(args[0]), *args[1:])
    return cls(*args, **kwargs)


class StockPage(Page):
    """A ``wagtail start`` page type with the article's StreamField, rendered the stock way."""

    body = StreamField(plain(TreatmentBodyBlock()), blank=True)

    template = "stock_wagtail/stock_page.html"
