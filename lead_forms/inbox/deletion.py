"""Form pages that still hold appointment requests cannot be deleted.

Wagtail deletes a form page's submissions with it. Here the submissions' page key is
``PROTECT`` (every path: admin, bulk actions, the v3 API, the ORM, deleting an ancestor),
and the admin hooks in ``wagtail_hooks.py`` refuse first with a message saying how many
requests are held and how to export or purge them, recording the refusal in Wagtail's log
(counts and ids only, never patient data).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as wagtail_log

from ..models import AppointmentSubmission

DELETE_REFUSED = "lead_forms.delete_refused"


def requests_held(pages):
    """How many appointment requests are stored under ``pages`` or any of their descendants."""
    paths = [page.path for page in pages]
    if not paths:
        return 0
    from django.db.models import Q

    condition = Q()
    for path in paths:
        condition |= Q(page__path__startswith=path)
    return AppointmentSubmission.objects.filter(condition).count()


def refusal_message(count):
    return ngettext(
        "This cannot be deleted: it holds %(count)d appointment request. Export it from "
        "Appointment requests (filter by form, then Export), then delete it there or with "
        "`manage.py purge_appointment_requests`; then delete the page.",
        "This cannot be deleted: it holds %(count)d appointment requests. Export them from "
        "Appointment requests (filter by form, then Export), then delete them there or with "
        "`manage.py purge_appointment_requests`; then delete the page.",
        count,
    ) % {"count": count}


def log_refusal(page, user, count, source):
    """Record in Wagtail's log that deleting ``page`` was refused (the count only)."""
    return wagtail_log(
        page,
        DELETE_REFUSED,
        user=user if getattr(user, "pk", None) else None,
        data={"requests": count, "source": source},
    )


class DeleteRefusedFormatter(LogFormatter):
    label = _("Deletion refused: holds appointment requests")

    def format_message(self, log_entry):
        return _("Deletion refused: the page held %(count)s appointment request(s)") % {
            "count": log_entry.data.get("requests", "?")
        }
