"""Appointment form pages, their stored submissions and the retention setting."""

from .encrypted import EncryptedJSONField, EncryptedTextField
from .pages import AppointmentFormField, AppointmentFormPage, SubmissionOutcome
from .settings import AppointmentRequestSettings
from .submissions import AppointmentSubmission, SearchToken, StaffNote, StatusChange

__all__ = [
    "AppointmentFormField",
    "AppointmentFormPage",
    "AppointmentRequestSettings",
    "AppointmentSubmission",
    "EncryptedJSONField",
    "EncryptedTextField",
    "SearchToken",
    "StaffNote",
    "StatusChange",
    "SubmissionOutcome",
]
