from django.urls import NoReverseMatch, reverse
from wagtail.admin.panels import Panel


class RatingSummaryPanel(Panel):
    """Read-only panel on the article's edit screen: its readers' average score and count."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "treatment_pages/admin/rating_summary_panel.html"

        def get_context_data(self, parent_context=None):
            # Imported here: the models package imports this module.
            from treatment_pages.ratings.votes import get_rating_summary

            context = super().get_context_data(parent_context)
            page_id = getattr(self.instance, "pk", None)
            context["summary"] = get_rating_summary(page_id) if page_id else None
            context["ratings_url"] = None
            if page_id:
                try:
                    listing = reverse("wagtailsnippets_treatment_pages_rating:list")
                except NoReverseMatch:  # the ratings snippet is not registered in this project
                    listing = None
                if listing:
                    context["ratings_url"] = f"{listing}?page={page_id}"
            return context
