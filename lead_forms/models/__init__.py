"""Appointment form pages, their stored submissions and the retention setting."""

from .encrypted import EncryptedJSONField, EncryptedQuerySet, EncryptedTextField, Unreadable, open_value
from .pages import AppointmentFormField, AppointmentFormPage, SubmissionOutcome
from .settings import AppointmentRequestSettings
from .submissions import AppointmentSubmission, SearchToken, StaffNote, StatusChange

__all__ = [
    "AppointmentFormField",
    "AppointmentFormPage",
    "AppointmentRequestSettings",
    "AppointmentSubmission",
    "EncryptedJSONField",
    "EncryptedQuerySet",
    "EncryptedTextField",
    "SearchToken",
    "StaffNote",
    "StatusChange",
    "SubmissionOutcome",
    "Unreadable",
    "open_value",
]
