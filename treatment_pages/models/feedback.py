"""Reader feedback: "Was this page helpful?", one answer per reader per article.

Answers are written only through :func:`treatment_pages.feedback.service.submit_feedback`,
which scrubs the comment of anything that looks like patient data before it is stored.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

HARD_TO_UNDERSTAND = "hard_to_understand"
OUT_OF_DATE = "out_of_date"
MISSING_INFORMATION = "missing_information"
SOMETHING_ELSE = "something_else"
REASON_CHOICES = [
    (HARD_TO_UNDERSTAND, _("It was hard to understand")),
    (OUT_OF_DATE, _("It looks out of date")),
    (MISSING_INFORMATION, _("Information I needed was missing")),
    (SOMETHING_ELSE, _("Something else")),
]
COMMENT_MAX_LENGTH = 500


class PageFeedback(models.Model):
    """One reader's answer for one article; answering again replaces it.

    ``voter_key`` is the ratings' keyed hash of the reader's cookie or API token (never an IP
    address), so one reader gives one answer per article. ``reason`` is set only for "No".
    """

    page = models.ForeignKey(
        "treatment_pages.TreatmentPage", on_delete=models.CASCADE, related_name="feedback"
    )
    helpful = models.BooleanField(_("helpful"))
    reason = models.CharField(_("reason"), max_length=30, choices=REASON_CHOICES, blank=True)
    comment = models.CharField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    voter_key = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(_("answered on"), auto_now_add=True)
    updated = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("reader feedback")
        verbose_name_plural = _("reader feedback")
        ordering = ["-updated", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "voter_key"], name="treatment_pages_feedback_one_per_reader"
            ),
            models.CheckConstraint(condition=~Q(voter_key=""), name="treatment_pages_feedback_voter_key_set"),
            models.CheckConstraint(
                condition=Q(helpful=False) | Q(reason="", comment=""),
                name="treatment_pages_feedback_reason_only_when_not_helpful",
            ),
        ]

    def __str__(self):
        return f"{'Yes' if self.helpful else 'No'} on page {self.page_id}"
