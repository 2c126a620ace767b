import datetime

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index
from wagtail_headless_preview.models import HeadlessPreviewMixin
from wagtail_headless_preview.settings import headless_preview_settings

from treatment_pages.blocks import TreatmentBodyBlock
from treatment_pages.caching import SharedCacheMixin
from treatment_pages.panels import RatingSummaryPanel
from treatment_pages.renditions import API_RENDITION_SPECS
from treatment_pages.serializers import BreadcrumbField, ImageRenditionsField, RatingSummaryField

from .ratings import MAX_SCORE, MIN_SCORE, RatingSummary


class TreatmentIndexPage(SharedCacheMixin, Page):
    """The "Treatments" section: lists its published treatment articles."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro"), APIField("breadcrumbs", serializer=BreadcrumbField())]

    # A reusable app cannot name the project's home page type, so the project
    # says where the section may go (cms_site: below its HomePage only).
    parent_page_types = getattr(settings, "TREATMENT_INDEX_PARENT_PAGE_TYPES", ["wagtailcore.Page"])
    subpage_types = ["treatment_pages.TreatmentPage"]

    class Meta:
        verbose_name = "treatments index"

    def get_treatments(self):
        """Live, public articles under this index, in the editors' menu order."""
        return TreatmentPage.objects.child_of(self).live().public().specific().order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        treatments = list(self.get_treatments())
        # Every card shows its rating: one query for all of them, not one per card
        # (this fills each article's cached ``rating_summary``).
        summaries = RatingSummary.for_pages(treatment.pk for treatment in treatments)
        for treatment in treatments:
            treatment.rating_summary = summaries[treatment.pk]
        context["treatments"] = treatments
        return context


class FrontEndPreviewMixin(HeadlessPreviewMixin):
    """Previews a draft on the separate front end when one is configured, else as Wagtail does.

    The choice is made per request from settings (``WAGTAIL_HEADLESS_PREVIEW``'s
    ``CLIENT_URLS``, filled from ``HEADLESS_PREVIEW_URL``), never by changing the
    model's bases, so migrations and the page type stay the same either way.
    """

    @staticmethod
    def headless_preview_enabled():
        return bool(headless_preview_settings.CLIENT_URLS)

    def serve_preview(self, request, mode_name):
        """Contract as ``Page.serve_preview``: the response shown in the editor's preview panel."""
        if self.headless_preview_enabled():
            return HeadlessPreviewMixin.serve_preview(self, request, mode_name)
        # Skip the headless mixin: Wagtail's own preview renders the page template.
        return super(HeadlessPreviewMixin, self).serve_preview(request, mode_name)


class TreatmentPage(SharedCacheMixin, FrontEndPreviewMixin, Page):
    """A treatment article: what the treatment is, how it works, what to do next."""

    intro = models.TextField(
        max_length=600,
        help_text="One paragraph saying what the treatment is. Also used in listings.",
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_image_alt = models.CharField(
        "Hero image alt text",
        max_length=250,
        blank=True,
        help_text="Describe the image for people who cannot see it.",
    )
    body = StreamField(TreatmentBodyBlock(), blank=True)
    last_reviewed = models.DateField(
        "Article last updated",
        null=True,
        blank=True,
        help_text="Shown as “Article last updated”. Leave empty to use the last publish date.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("hero_image_alt"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
        HelpPanel(
            content="The clinic's phone, email and address come from Settings › Clinic contact details."
        ),
        RatingSummaryPanel(heading="Reader ratings"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    api_fields = [
        APIField("intro"),
        APIField("hero_image"),
        APIField("hero_image_alt"),
        APIField("hero_image_renditions", serializer=ImageRenditionsField(source="hero_image")),
        APIField("body"),
        APIField("last_updated"),
        APIField("breadcrumbs", serializer=BreadcrumbField()),
        APIField("rating", serializer=RatingSummaryField()),
    ]

    parent_page_types = ["treatment_pages.TreatmentIndexPage"]
    subpage_types = []

    og_type = "article"

    class Meta:
        verbose_name = "treatment article"

    @classmethod
    def optimise_api_queryset(cls, queryset):
        """Hook for API listings: join or prefetch what ``api_fields`` read, so a listing's
        query count does not grow with the number of articles."""
        renditions = (
            get_image_model()
            .get_rendition_model()
            .objects.filter(filter_spec__in=API_RENDITION_SPECS.values())
        )
        return queryset.select_related("hero_image").prefetch_related(
            Prefetch("hero_image__renditions", queryset=renditions)
        )

    @classmethod
    def prepare_api_listing(cls, pages, field_names):
        """Hook for API listings: load per-page data for all ``pages`` at once (contract:
        called with the listed pages and the names of the fields being serialised)."""
        if "rating" in field_names:
            summaries = RatingSummary.for_pages(page.pk for page in pages)
            for page in pages:
                page.rating_summary = summaries[page.pk]

    @cached_property
    def rating_summary(self):
        """This article's public rating summary; listings set it for many pages at once."""
        return RatingSummary.for_page(self.pk)

    @property
    def last_updated(self) -> datetime.date | None:
        """The editor-set review date, else the date the article was last published."""
        if self.last_reviewed:
            return self.last_reviewed
        if self.last_published_at:
            return self.last_published_at.date()
        return None

    def get_structured_data(self, request=None):
        """schema.org ``MedicalWebPage`` description for search engines (JSON-LD)."""
        data = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": self.seo_title or self.title,
            "headline": self.title,
            "description": self.search_description or self.intro,
            "url": self.get_full_url(request),
        }
        if self.last_updated:
            data["lastReviewed"] = self.last_updated.isoformat()
        summary = self.rating_summary if self.pk else None
        if summary and summary.count:
            data["aggregateRating"] = {
                "@type": "AggregateRating",
                "ratingValue": float(summary.average),
                "ratingCount": summary.count,
                "bestRating": MAX_SCORE,
                "worstRating": MIN_SCORE,
            }
        return data

    def embeds_a_form(self):
        """Whether a "Next steps" block shows the linked page's form inline."""
        return any(
            block.get("type") == "next_steps" and (block.get("value") or {}).get("show_form")
            for block in self.body.raw_data
        )

    def is_shared_cacheable(self, request):
        """Not when the article embeds the appointment form: its tokens are per reader."""
        return not self.embeds_a_form()
