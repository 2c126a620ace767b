"""Edit-screen panels for clinical review: review status (overdue warning) and readability."""

from django.forms import Media
from django.templatetags.static import static
from wagtail.admin.panels import Panel


class ReviewStatusPanel(Panel):
    """Read-only: who reviewed the article and when it is due; a warning when overdue or rated low."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "treatment_pages/admin/review_status_panel.html"

        def get_context_data(self, parent_context=None):
            from treatment_pages.review.service import DUE_THIS_MONTH, LOW_RATING, OVERDUE, reasons_for

            context = super().get_context_data(parent_context)
            page = self.instance
            reasons = reasons_for(page) if page.pk else []
            codes = {reason.code for reason in reasons}
            context.update(
                page=page,
                reasons=reasons,
                overdue=OVERDUE in codes,
                due_soon=DUE_THIS_MONTH in codes,
                low_rating=LOW_RATING in codes,
            )
            return context


class ReadabilityPanel(Panel):
    """Read-only: the article's Flesch-Kincaid grade, the clinic's target and the hardest sentences.

    When the grade is above the target, publishing asks the editor to confirm (never blocks).
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "treatment_pages/admin/readability_panel.html"

        @property
        def media(self):
            return Media(js=[static("treatment_pages/js/readability-confirm.js")])

        def get_context_data(self, parent_context=None):
            from treatment_pages.review.citations import unmatched_markers
            from treatment_pages.review.readability import page_readability

            context = super().get_context_data(parent_context)
            page = self.instance
            context["readability"] = page_readability(page)
            context["unmatched_citations"] = unmatched_markers(
                [str(block.value) for block in page.body] + [page.intro or ""], len(page.references.all())
            )
            return context
