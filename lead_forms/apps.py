from django.apps import AppConfig


class LeadFormsConfig(AppConfig):
    name = "lead_forms"
    verbose_name = "Appointment requests"
