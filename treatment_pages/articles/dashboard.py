"""The admin dashboard's "Recently edited pages" panel: the latest edits by anyone, with edit links."""

from wagtail.admin.ui.components import Component

RECENT_SHOWN = 8


class RecentlyEditedPagesPanel(Component):
    """Pages the user may edit, most recently changed first (Wagtail's own panel shows only the user's edits)."""

    name = "recently_edited_pages"
    order = 240
    template_name = "treatment_pages/admin/recently_edited_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        from wagtail.permission_policies.pages import PagePermissionPolicy

        editable = PagePermissionPolicy().instances_user_has_permission_for(self.user, "change")
        context["pages"] = list(
            editable.filter(latest_revision_created_at__isnull=False)
            .exclude(depth=1)
            .select_related("latest_revision__user")
            .order_by("-latest_revision_created_at")[:RECENT_SHOWN]
        )
        return context


def construct_homepage_panels(request, panels):
    panels.append(RecentlyEditedPagesPanel(request.user))
