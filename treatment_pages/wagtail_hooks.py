"""Wagtail discovers hooks here: each concern's admin (ratings, clinical review, webhooks)
is imported from its sub-package, and the article editor's own hooks are below."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from treatment_pages.articles import dashboard
from treatment_pages.articles.rich_text import PrefetchedPageLinkHandler
from treatment_pages.ratings import wagtail_hooks as ratings_hooks  # noqa: F401 - registers the ratings admin


# Ordered after Wagtail's own registration of the "page" link type, which it replaces
# (identical outside API listings; see treatment_pages.articles.rich_text).
@hooks.register("register_rich_text_features", order=100)
def register_prefetched_page_links(features):
    features.register_link_type(PrefetchedPageLinkHandler)


@hooks.register("insert_editor_js")
def steps_editor_js():
    """Numbers the steps of a steps block in the page editor and heads each with its lead text."""
    return format_html(
        '<script src="{}" data-step-word="{}"></script>',
        static("treatment_pages/js/steps-editor.js"),
        _("Step"),
    )


@hooks.register("insert_global_admin_css")
def steps_editor_css():
    """Keeps a step's lead text visible in its header while it is open (Wagtail 8 has no editor-only CSS hook)."""
    return format_html('<link rel="stylesheet" href="{}">', static("treatment_pages/css/steps-editor.css"))


@hooks.register("construct_homepage_panels")
def add_recently_edited_pages_panel(request, panels):
    """Dashboard: pages recently edited by anyone."""
    dashboard.construct_homepage_panels(request, panels)


@hooks.register("register_admin_viewset")
def register_webhooks_admin():
    from treatment_pages.webhooks.admin import WebhooksViewSetGroup

    return WebhooksViewSetGroup()


# Clinical review: the Clinicians snippet, the review report and the dashboard panel.
# "Was this page helpful?": the reader feedback reports.
from treatment_pages.feedback import wagtail_hooks as feedback_hooks  # noqa: E402,F401
from treatment_pages.review import wagtail_hooks as review_hooks  # noqa: E402,F401
