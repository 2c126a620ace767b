"""The admin dashboard's "New appointment requests" panel (for staff with the patient-data permission)."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from .permissions import submissions_for_user, user_can_view_requests

LATEST_SHOWN = 5
INBOX_INDEX = "lead_forms_appointmentsubmission_modeladmin_index"
INBOX_DETAIL = "lead_forms_appointmentsubmission_modeladmin_inspect"


class NewAppointmentRequestsPanel(Component):
    """How many requests are new (not spam) and the latest few, each linking to its detail.

    Lists references, forms and times, not names: the dashboard is glanced at on shared screens.
    """

    name = "new_appointment_requests"
    order = 50
    template_name = "lead_forms/admin/new_requests_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        new = submissions_for_user(self.user).not_spam().filter(status="new")
        latest = list(new.select_related("page").order_by("-submit_time", "-pk")[:LATEST_SHOWN])
        context.update(
            {
                "count": new.count(),
                "latest": [
                    (submission, reverse(INBOX_DETAIL, args=[submission.pk])) for submission in latest
                ],
                "inbox_url": reverse(INBOX_INDEX) + "?status=new",
            }
        )
        return context


def construct_homepage_panels(request, panels):
    """Body of the ``construct_homepage_panels`` hook: only staff who may read requests see the panel."""
    if user_can_view_requests(request.user):
        panels.append(NewAppointmentRequestsPanel(request.user))
