from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from treatment_pages.articles.structured_data import clinic_page_structured_data
from treatment_pages.caching.policy import SharedCacheMixin
from treatment_pages.models import TreatmentIndexPage
from treatment_pages.models.pages import FrontEndPreviewMixin


class HomePage(SharedCacheMixin, FrontEndPreviewMixin, Page):
    """The clinic's home page: a welcome and links into the treatments section."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["treatment_pages.TreatmentIndexPage", "lead_forms.AppointmentFormPage"]
    max_count = 1

    def get_structured_data(self, request=None):
        """The clinic's ``MedicalClinic`` (JSON-LD), as the page and /api/v3/seo/ both give it."""
        return clinic_page_structured_data(self, request)

    def get_treatment_sections(self):
        """Published treatments indexes directly below the home page."""
        return TreatmentIndexPage.objects.child_of(self).live().public().order_by("path")
