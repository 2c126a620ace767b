"""Appointment form pages and their stored submissions."""

from .pages import AppointmentFormField, AppointmentFormPage, SubmissionOutcome
from .submissions import AppointmentSubmission

__all__ = ["AppointmentFormField", "AppointmentFormPage", "AppointmentSubmission", "SubmissionOutcome"]
