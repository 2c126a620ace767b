"""Edit-screen panels for clinical review: review status (overdue warning) and readability."""

from django.forms import Media
from django.templatetags.static import static
from django.urls import reverse
from wagtail.admin.panels import Panel


class ReviewStatusPanel(Panel):
    """Read-only: who reviewed the article and when it is due; a warning when it needs review.

    For a reviewer: the changes published since the sign-off (non-clinical marks with who and
    when) and a link to Wagtail's comparison of the signed revision with the current draft.
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "treatment_pages/admin/review_status_panel.html"

        def get_context_data(self, parent_context=None):
            from treatment_pages.review import seal as review_seal
            from treatment_pages.review.service import (
                CHANGED_SINCE_REVIEW,
                DUE_THIS_MONTH,
                LOW_RATING,
                OVERDUE,
                reasons_for,
            )

            context = super().get_context_data(parent_context)
            page = self.instance
            reasons = reasons_for(page) if page.pk else []
            codes = {reason.code for reason in reasons}
            seal = review_seal.seal_of(page) if page.pk else None
            context.update(
                page=page,
                reasons=reasons,
                overdue=OVERDUE in codes,
                due_soon=DUE_THIS_MONTH in codes,
                low_rating=LOW_RATING in codes,
                changed=CHANGED_SINCE_REVIEW in codes,
                seal=seal if seal is not None and seal.is_signed else None,
                # What was published since the sign-off, with who marked what non-clinical.
                changes_since_review=review_seal.changes_since_seal(page) if page.pk else [],
                compare_url=review_seal.comparison_url(page, seal),
            )
            return context


class ReadabilityPanel(Panel):
    """Read-only: how easily patients read the article (by its language's formula), the clinic's
    target, the sentences that make it harder most, and citations that match no reference.

    It follows the text as the editor types (readability-live.js posts the form, unsaved, to
    the views in ``treatment_pages.review.views`` after a pause). When the article reads harder
    than the target, publishing asks the editor to confirm (never blocks).
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "treatment_pages/admin/readability_panel.html"

        @property
        def media(self):
            return Media(
                js=[
                    static("treatment_pages/js/readability-confirm.js"),
                    static("treatment_pages/js/readability-live.js"),
                ]
            )

        def live_url(self):
            page = self.instance
            if page.pk:
                return reverse("treatment_pages_readability_edit", args=[page.pk])
            parent = getattr(self.form, "parent_page", None)
            if parent is None:
                return ""
            return reverse("treatment_pages_readability_create", args=[page._meta.label_lower, parent.pk])

        def get_context_data(self, parent_context=None):
            from treatment_pages.review.readability import readability_summary

            context = super().get_context_data(parent_context)
            page = self.instance
            context.update(readability_summary(page, len(page.references.all())))
            context["live_url"] = self.live_url()
            return context
