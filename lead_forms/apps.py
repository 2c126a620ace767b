from django.apps import AppConfig


class LeadFormsConfig(AppConfig):
    name = "lead_forms"
    verbose_name = "Appointment requests"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, crypto

        # Refuse to start without the patient-data keys (ImproperlyConfigured names the variable).
        crypto.check_configuration()
        checks.register()
