"""Appointment form pages, their stored submissions and the retention setting."""

from .pages import AppointmentFormField, AppointmentFormPage, SubmissionOutcome
from .settings import AppointmentRequestSettings
from .submissions import AppointmentSubmission, StaffNote, StatusChange

__all__ = [
    "AppointmentFormField",
    "AppointmentFormPage",
    "AppointmentRequestSettings",
    "AppointmentSubmission",
    "StaffNote",
    "StatusChange",
    "SubmissionOutcome",
]
