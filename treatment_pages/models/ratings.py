"""Reader ratings: one 1-5 score per reader per page, and an exact per-page summary.

Votes are written only through :func:`treatment_pages.ratings.votes.cast_vote`, which keeps
:class:`RatingSummary` in step in the same transaction; deletions (admin, bulk
delete, page deletion) go through the delete signals in ``treatment_pages.ratings.votes``.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import admin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

MIN_SCORE = 1
MAX_SCORE = 5
SCORE_CHOICES = [
    (1, _("1 star")),
    (2, _("2 stars")),
    (3, _("3 stars")),
    (4, _("4 stars")),
    (5, _("5 stars")),
]
SCORE_LABELS = dict(SCORE_CHOICES)


class Rating(models.Model):
    """One reader's score for one page; a reader who rates again changes this row.

    ``voter_key`` is an HMAC of the reader's first-party cookie identifier, never an IP
    address; it is never shown in the admin.
    """

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(
        choices=SCORE_CHOICES,
        validators=[MinValueValidator(MIN_SCORE), MaxValueValidator(MAX_SCORE)],
    )
    voter_key = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField("rated on", auto_now_add=True, db_index=True)
    updated = models.DateTimeField("last changed", auto_now=True)

    class Meta:
        verbose_name = "rating"
        verbose_name_plural = "ratings"
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=MIN_SCORE) & Q(score__lte=MAX_SCORE),
                name="treatment_pages_rating_score_1_to_5",
                violation_error_message="A rating is from 1 to 5 stars.",
            ),
            # The key is never empty, so this holds for every row (NULLs would slip past it).
            models.CheckConstraint(
                condition=~Q(voter_key=""),
                name="treatment_pages_rating_voter_key_set",
            ),
            models.UniqueConstraint(
                fields=["page", "voter_key"],
                name="treatment_pages_rating_one_per_voter_per_page",
            ),
        ]

    def __str__(self):
        # Shown in admin messages and logs: never the voter key.
        return f"{self.get_score_display()} for “{self.page.title}”, {self.rated_on_text}"

    @property
    def rated_on_text(self):
        """When the reader rated, in the site's time zone (e.g. "14 Mar 2026 10:02")."""
        return date_format(timezone.localtime(self.created), "j M Y H:i") if self.created else ""

    @admin.display(description="Page", ordering="page__title")
    def page_title(self):
        """The rated page's title, for admin listings. The row's checkbox is described by this
        cell, so screen readers also hear the score, the time and the rating's number, which
        tell two ratings of a page apart (sighted editors see the score and date columns)."""
        return format_html(
            '{}<span class="w-sr-only">, {}, {} (no. {})</span>',
            self.page.title,
            self.get_score_display(),
            self.rated_on_text,
            self.pk,
        )


class RatingSummary(models.Model):
    """Running count and total of a page's ratings, so pages never aggregate on read.

    Changed only with ``F()`` updates or under this row's lock (see
    ``treatment_pages.ratings.votes``); the check constraint catches any drift that would
    make the average impossible.
    """

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        # No reverse accessor: listings fetch summaries for many pages in one query instead.
        related_name="+",
    )
    count = models.PositiveIntegerField("ratings", default=0)
    total = models.PositiveIntegerField("sum of scores", default=0)
    updated = models.DateTimeField("last changed", auto_now=True)

    class Meta:
        verbose_name = "rating summary"
        verbose_name_plural = "rating summaries"
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=F("count")) & Q(total__lte=F("count") * MAX_SCORE),
                name="treatment_pages_ratingsummary_total_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.page.title}: {self.text}"

    @classmethod
    def for_page(cls, page_id):
        """The page's summary, or an unsaved empty one when nobody has rated it yet."""
        return cls.objects.filter(page_id=page_id).first() or cls(page_id=page_id)

    @classmethod
    def for_pages(cls, page_ids):
        """Summaries for many pages in one query: ``{page_id: summary}``, empty ones included."""
        page_ids = list(page_ids)
        found = cls.objects.in_bulk(page_ids, field_name="page_id")
        return {page_id: found.get(page_id) or cls(page_id=page_id) for page_id in page_ids}

    @property
    def average(self):
        """Mean score rounded half-up to one decimal (2.65 → 2.7), or ``None`` when unrated."""
        if not self.count:
            return None
        return (Decimal(self.total) / Decimal(self.count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def text(self):
        """What readers see: ``4.3 out of 5, 12 ratings`` or ``Not rated yet (0 out of 5)``."""
        if not self.count:
            return gettext("Not rated yet (0 out of %(max)d)") % {"max": MAX_SCORE}
        ratings = ngettext("%(count)d rating", "%(count)d ratings", self.count) % {"count": self.count}
        return gettext("%(average)s out of %(max)d, %(ratings)s") % {
            "average": self.average,
            "max": MAX_SCORE,
            "ratings": ratings,
        }

    def as_dict(self):
        """The public summary as plain JSON-ready data (for the widget and the API)."""
        return {
            "page_id": self.page_id,
            "count": self.count,
            "total": self.total,
            "average": float(self.average) if self.count else None,
            "best_rating": MAX_SCORE,
            "worst_rating": MIN_SCORE,
            "text": self.text,
        }
