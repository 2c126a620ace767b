import datetime

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index

from treatment_pages.articles.renditions import API_RENDITION_SPECS
from treatment_pages.articles.serializers import (
    BreadcrumbField,
    DateValueField,
    ImageRenditionsField,
    RatingSummaryField,
)
from treatment_pages.blocks import TreatmentBodyBlock
from treatment_pages.caching.policy import SharedCacheMixin
from treatment_pages.conf import app_settings
from treatment_pages.ratings.panels import RatingSummaryPanel
from treatment_pages.review.forms import TreatmentPageForm
from treatment_pages.review.panels import ReadabilityPanel, ReviewStatusPanel
from treatment_pages.review.serializers import (
    CitationsField,
    ClinicianField,
    FAQField,
    PageHistoryField,
    ReferencesField,
    ReviewStatusField,
    SealedReviewDateField,
)

from .ratings import MAX_SCORE, MIN_SCORE, RatingSummary

# Headless preview is optional: without wagtail_headless_preview installed, previews are Wagtail's own.
if apps.is_installed("wagtail_headless_preview"):
    from wagtail_headless_preview.models import HeadlessPreviewMixin
    from wagtail_headless_preview.settings import headless_preview_settings

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


else:

    class FrontEndPreviewMixin:
        """Without wagtail_headless_preview, editors preview in Wagtail as usual."""

        @staticmethod
        def headless_preview_enabled():
            return False


class TreatmentIndexPage(SharedCacheMixin, FrontEndPreviewMixin, Page):
    """The "Treatments" section: lists its published treatment articles."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro"), APIField("breadcrumbs", serializer=BreadcrumbField())]

    # A reusable app cannot name the project's home page type, so the project
    # says where the section may go (cms_site: below its HomePage only).
    parent_page_types = app_settings.TREATMENT_INDEX_PARENT_PAGE_TYPES
    subpage_types = ["treatment_pages.TreatmentPage"]

    class Meta:
        verbose_name = "treatments index"

    def route(self, request, path_components):
        """Contract as ``Page.route``. An article below the index is read in one query with
        what its page shows beside its own fields (``TreatmentPage.objects_for_reading``),
        where Wagtail's routing would read it twice (the page, then its specific type) and
        the article three more times (its seal and reviewer, its rating, its hero image)."""
        if path_components:
            try:
                article = TreatmentPage.objects_for_reading().child_of(self).get(slug=path_components[0])
            except TreatmentPage.DoesNotExist:
                pass
            else:
                return article.route(request, path_components[1:])
        # Any other page type placed here before subpage_types said otherwise: Wagtail's way.
        return super().route(request, path_components)

    def get_treatments(self):
        """Live, public articles under this index, in the editors' menu order."""
        return TreatmentPage.objects.child_of(self).live().public().specific().order_by("path")

    def get_structured_data(self, request=None):
        """schema.org ``CollectionPage`` listing the section's articles (JSON-LD)."""
        from treatment_pages.articles.seo import canonical_url

        return {
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": self.seo_title or self.title,
            "url": canonical_url(self, request),
            "mainEntity": {
                "@type": "ItemList",
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": position,
                        "name": treatment.title,
                        "url": canonical_url(treatment, request),
                    }
                    for position, treatment in enumerate(self.get_treatments().defer_streamfields(), start=1)
                ],
            },
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        treatments = list(self.get_treatments())
        # Every card shows its rating: one query for all of them, not one per card
        # (this fills each article's cached ``rating_summary``).
        summaries = RatingSummary.for_pages(treatment.pk for treatment in treatments)
        for treatment in treatments:
            treatment.rating_summary = summaries[treatment.pk]
        context["treatments"] = treatments
        context["base_template"] = app_settings.TREATMENT_PAGES_BASE_TEMPLATE
        return context


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
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_(
            "The date a clinician last checked the article (set by approving its “Clinical review” task); "
            "it plans the next review. Readers see a review date only from a clinician's sign-off."
        ),
    )
    medical_reviewer = models.ForeignKey(
        "treatment_pages.Clinician",
        verbose_name=_("medical reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_articles",
    )
    next_review_due = models.DateField(
        _("next review due"),
        null=True,
        blank=True,
        help_text=_("Leave empty to set it from the last review date and the review interval."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the clinic's usual interval (12 months unless the site sets another)."),
    )
    # The next publish's public change note and non-clinical mark (treatment_pages.review.seal):
    # fields, so that they travel with the draft through workflows and scheduled publishing.
    change_note = models.CharField(
        _("change note"),
        max_length=200,
        blank=True,
        help_text=_(
            "What changed, for readers (shown in the article's page history), "
            "e.g. “Updated the advice on sun exposure”."
        ),
    )
    change_is_non_clinical = models.BooleanField(
        _("this change is not clinical"),
        default=False,
        help_text=_(
            "Tick only for typos or formatting: the clinical review then still vouches for the article. "
            "Reviewers see who ticked it and when."
        ),
    )

    content_panels = Page.content_panels + [
        ReviewStatusPanel(heading=_("Clinical review status")),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("hero_image_alt"),
        FieldPanel("body"),
        ReadabilityPanel(heading=_("Readability")),
        InlinePanel(
            "references",
            heading=_("References"),
            label=_("Reference"),
            help_text=_("Numbered in this order; cite them in the text as [1], [2]…"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("medical_reviewer"),
                FieldRowPanel([FieldPanel("last_reviewed"), FieldPanel("next_review_due")]),
                FieldPanel("review_interval_months"),
            ],
            heading=_("Clinical review"),
        ),
        MultiFieldPanel(
            [FieldPanel("change_note"), FieldPanel("change_is_non_clinical")],
            heading=_("What changed"),
        ),
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
        APIField("last_updated", serializer=DateValueField()),
        APIField("breadcrumbs", serializer=BreadcrumbField()),
        APIField("rating", serializer=RatingSummaryField()),
        APIField("review_status", serializer=ReviewStatusField()),
        APIField("medical_reviewer", serializer=ClinicianField()),
        APIField("last_reviewed", serializer=SealedReviewDateField()),
        APIField("next_review_due"),
        APIField("page_history", serializer=PageHistoryField()),
        APIField("references", serializer=ReferencesField()),
        APIField("citations", serializer=CitationsField()),
        APIField("faq", serializer=FAQField()),
        # Not the readability score: it is the editors' (the edit screen's panel), not the readers'.
    ]

    parent_page_types = ["treatment_pages.TreatmentIndexPage"]
    subpage_types = []

    og_type = "article"
    # Resets the change note after a publish; stops publishing while a citation [n] matches no reference.
    base_form_class = TreatmentPageForm

    class Meta:
        verbose_name = "treatment article"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The host's base template (TREATMENT_PAGES_BASE_TEMPLATE), which the page template extends.
        context["base_template"] = app_settings.TREATMENT_PAGES_BASE_TEMPLATE
        return context

    @classmethod
    def objects_for_reading(cls):
        """Articles with what their page shows beside their own fields, in the same query:
        the hero image, the review seal with its reviewer, and the rating summary's figures
        (``rating_summary``, fresh on every read: nothing of it is cached)."""
        summaries = RatingSummary.objects.filter(page_id=OuterRef("pk"))
        return cls.objects.select_related("hero_image", "review_seal__reviewer").annotate(
            rating_count=Subquery(summaries.values("count")[:1]),
            rating_total=Subquery(summaries.values("total")[:1]),
        )

    @classmethod
    def optimise_api_queryset(cls, queryset):
        """Hook for API listings: join or prefetch what ``api_fields`` read, so a listing's
        query count does not grow with the number of articles."""
        renditions = (
            get_image_model()
            .get_rendition_model()
            .objects.filter(filter_spec__in=API_RENDITION_SPECS.values())
        )
        return queryset.select_related(
            "hero_image", "medical_reviewer", "review_seal", "review_seal__reviewer"
        ).prefetch_related(
            Prefetch("hero_image__renditions", queryset=renditions), "references", "change_notes"
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
        """This article's public rating summary; listings set it for many pages at once, and
        ``objects_for_reading`` reads its figures with the page."""
        if hasattr(self, "rating_count"):
            return RatingSummary(page_id=self.pk, count=self.rating_count or 0, total=self.rating_total or 0)
        return RatingSummary.for_page(self.pk)

    @property
    def last_updated(self) -> datetime.date | None:
        """The date of the review that still vouches for the article, else its last publish date."""
        seal = self.clinical_review
        if seal is not None:
            return seal.reviewed_on
        if self.last_published_at:
            # The site's calendar date, not UTC's: a late-evening publish is still that day.
            return timezone.localdate(self.last_published_at)
        return None

    @cached_property
    def clinical_review(self):
        """The review seal when it holds for this content (a ``ReviewSeal``), else None.

        Only then do the byline, the JSON-LD and the API name a reviewer and a review date.
        """
        from treatment_pages.review.seal import valid_seal

        # The fingerprint reads the references the page lists anyway: loaded once.
        return valid_seal(self, self.reference_list)

    @cached_property
    def review_status(self):
        """``reviewed``, ``pending`` (changed since the clinical review) or ``not_reviewed``."""
        from treatment_pages.review.seal import review_status

        return review_status(self)

    @cached_property
    def page_history(self):
        """The public "Page history": reviews and changes with their notes, newest first."""
        from treatment_pages.review.seal import public_history

        return public_history(self) if self.pk else []

    @property
    def sealed_reviewer(self):
        """The clinician whose review still vouches for the article (published ones only), or None."""
        seal = self.clinical_review
        reviewer = seal.reviewer if seal is not None else None
        return reviewer if reviewer is not None and reviewer.live else None

    def clean(self):
        super().clean()
        if self.last_reviewed and not self.next_review_due:
            from treatment_pages.review.service import next_review_due_after

            self.next_review_due = next_review_due_after(self, self.last_reviewed)

    @property
    def live_medical_reviewer(self):
        """The reviewer patients see: only a published clinician."""
        reviewer = self.medical_reviewer
        return reviewer if reviewer is not None and reviewer.live else None

    @cached_property
    def reference_list(self):
        """The references in their numbered order."""
        return list(self.references.all())

    @cached_property
    def contents(self):
        """The article's sections (h2 headings) for its contents list, each with its heading's anchor."""
        from treatment_pages.articles.contents import contents_entries

        return contents_entries(self.body.raw_data)

    @property
    def shows_contents(self):
        """Whether the article is long enough for a contents list (three sections or more)."""
        from treatment_pages.articles.contents import MIN_CONTENTS_ENTRIES

        return len(self.contents) >= MIN_CONTENTS_ENTRIES

    def body_with_anchors(self):
        """The body's blocks, each with the anchor its section heading carries ("" for others)."""
        anchors = {entry.block_id: entry.anchor for entry in self.contents}
        return [(block, anchors.get(block.id, "")) for block in self.body]

    @property
    def faq_questions(self):
        """schema.org ``Question`` entries from every FAQ block in the body, in order.

        Only the blocks with structured data are turned into values: the rest of the body (its
        images, page links) is rendered from a cached fragment and need not be loaded for this.
        """
        body = self.body
        kinds = {
            name
            for name, block in body.stream_block.child_blocks.items()
            if hasattr(block, "structured_data")
        }
        return [
            question
            for index, raw in enumerate(body.raw_data)
            if raw["type"] in kinds
            for question in body[index].block.structured_data(body[index].value)
        ]

    def get_faq_structured_data(self, request=None):
        """schema.org ``FAQPage`` for the body's FAQ blocks, or None without any."""
        from treatment_pages.articles.structured_data import faq_structured_data

        return faq_structured_data(self.faq_questions)

    @cached_property
    def readability(self):
        """Flesch-Kincaid grade of what patients read, against the clinic's target."""
        from treatment_pages.review.readability import page_readability

        return page_readability(self)

    def get_structured_data(self, request=None):
        """The JSON-LD blocks the article embeds: its ``MedicalWebPage``, then its ``FAQPage`` if any."""
        return [
            block
            for block in (self.get_medical_web_page_data(request), self.get_faq_structured_data(request))
            if block
        ]

    def get_medical_web_page_data(self, request=None):
        """schema.org ``MedicalWebPage`` description for search engines (JSON-LD)."""
        from treatment_pages.articles.seo import canonical_url

        data = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": self.seo_title or self.title,
            "headline": self.title,
            "description": self.search_description or self.intro,
            "url": canonical_url(self, request),
        }
        from treatment_pages.articles.structured_data import (
            clinician_structured_data,
            reference_structured_data,
        )

        # Only a clinical review that still holds for this text counts as "reviewed".
        seal = self.clinical_review
        if seal is not None and seal.reviewed_on:
            data["lastReviewed"] = seal.reviewed_on.isoformat()
        reviewer = self.sealed_reviewer
        if reviewer is not None:
            data["reviewedBy"] = clinician_structured_data(reviewer)
        if self.reference_list:
            data["citation"] = [reference_structured_data(reference) for reference in self.reference_list]
        # Off by default: search engines show no stars for a clinic's reviews of its own pages.
        summary = (
            self.rating_summary if self.pk and app_settings.TREATMENT_PAGES_JSON_LD_AGGREGATE_RATING else None
        )
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
