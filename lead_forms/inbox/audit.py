"""Audit log of who read or changed patient data, in Wagtail's own log.

Every entry records the user and time (Wagtail's log entry fields), the kind
of action and ids, counts, formats and filters: never a submitted value. Free
text a user typed into a filter (the inbox search) is recorded only as
"searched", because people search by a patient's name.
"""

from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as wagtail_log
from wagtail.models import Site

VIEW_INBOX = "lead_forms.view_inbox"
VIEW_REQUEST = "lead_forms.view_request"
EXPORT = "lead_forms.export"
CHANGE_STATUS = "lead_forms.change_status"
DELETE = "lead_forms.delete"
ADD_NOTE = "lead_forms.add_note"

# Filter keys whose values are safe to store (ids, dates, choices); anything else is reduced to "set".
SAFE_FILTER_KEYS = {
    "form",
    "page",
    "status",
    "spam",
    "received_from",
    "received_to",
    "since",
    "until",
    "date_from",
    "date_to",
    "notes",
}


class ViewInboxFormatter(LogFormatter):
    label = "View appointment requests"

    def format_message(self, log_entry):
        filters = log_entry.data.get("filters") or {}
        if not filters:
            return "Viewed the appointment requests list"
        return "Viewed the appointment requests list filtered by " + ", ".join(sorted(filters))


class ViewRequestFormatter(LogFormatter):
    label = "View appointment request"
    message = "Viewed the appointment request"


class ExportFormatter(LogFormatter):
    label = "Export appointment requests"

    def format_message(self, log_entry):
        data = log_entry.data
        return "Exported {rows} appointment request(s) as {fmt}{filters}".format(
            rows=data.get("rows", "?"),
            fmt=str(data.get("format", "")).upper(),
            filters=" (filtered by " + ", ".join(sorted(data["filters"])) + ")"
            if data.get("filters")
            else "",
        )


class ChangeStatusFormatter(LogFormatter):
    label = "Change appointment request status"

    def format_message(self, log_entry):
        data = log_entry.data
        return f"Changed status from {data.get('old', '?')} to {data.get('new', '?')}"


class AddNoteFormatter(LogFormatter):
    label = "Add a note to an appointment request"
    message = "Added a staff note"


class DeleteFormatter(LogFormatter):
    label = "Delete appointment requests"

    def format_message(self, log_entry):
        return f"Deleted {log_entry.data.get('count', '?')} appointment request(s)"


def register_log_actions(actions):
    """Body of the ``register_log_actions`` hook (wired in wagtail_hooks.py)."""
    for action, formatter in (
        (VIEW_INBOX, ViewInboxFormatter),
        (VIEW_REQUEST, ViewRequestFormatter),
        (EXPORT, ExportFormatter),
        (CHANGE_STATUS, ChangeStatusFormatter),
        (DELETE, DeleteFormatter),
        (ADD_NOTE, AddNoteFormatter),
    ):
        actions.register_action(action)(formatter)


def safe_filters(filters):
    """``filters`` with only harmless values kept: free text becomes ``"set"``; empty ones are dropped."""
    cleaned = {}
    for key, value in (filters or {}).items():
        if value in (None, "", [], ()):
            continue
        if key in SAFE_FILTER_KEYS:
            cleaned[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
        else:
            cleaned[key] = "set"
    return cleaned


def _scope(request=None, page=None):
    """What an inbox-wide entry is attached to: the form page if one, else the request's (or default) site."""
    if page is not None:
        return page
    site = Site.find_for_request(request) if request is not None else None
    return site or Site.objects.filter(is_default_site=True).first() or Site.objects.first()


def _log(instance, action, user, data):
    if instance is None:
        return None
    return wagtail_log(instance, action, user=user if getattr(user, "pk", None) else None, data=data)


def log_inbox_view(user, *, request=None, page=None, filters=None):
    return _log(_scope(request, page), VIEW_INBOX, user, {"filters": safe_filters(filters)})


def log_request_view(user, submission):
    return _log(submission, VIEW_REQUEST, user, {"page": submission.page_id})


def log_export(user, *, fmt, rows, filters=None, request=None, page=None, source="admin"):
    data = {"format": fmt, "rows": rows, "filters": safe_filters(filters), "source": source}
    return _log(_scope(request, page), EXPORT, user, data)


def log_status_change(user, submission, old, new):
    return _log(submission, CHANGE_STATUS, user, {"old": old, "new": new, "page": submission.page_id})


def log_note_added(user, submission, note):
    # The note's id and length, never its text (it is about a patient).
    return _log(submission, ADD_NOTE, user, {"note": note.pk, "page": submission.page_id})


def log_delete(user, *, count, page=None, request=None, references=(), source="admin"):
    # References are ours (AR-XXXXXXXX), not the patient's, and tie the entry to the emails sent.
    data = {"count": count, "references": list(references)[:1000], "source": source}
    return _log(_scope(request, page), DELETE, user, data)
