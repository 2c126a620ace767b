from wagtail.fields import StreamField
from wagtail.models import Page

from treatment_pages.blocks import TreatmentBodyBlock


class StockPage(Page):
    """The same body as a treatment article, served the way stock Wagtail serves a page."""

    body = StreamField(TreatmentBodyBlock(), blank=True)

    template = "stock_wagtail/stock_page.html"
