from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadFormsConfig(AppConfig):
    name = "lead_forms"
    verbose_name = _("Appointment requests")
    # Set here, not left to the host's DEFAULT_AUTO_FIELD: the migrations use BigAutoField.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lead_forms import checks, crypto  # noqa: F401 - checks register themselves

        # Refuse to start without the patient-data keys (ImproperlyConfigured names the variable).
        crypto.check_configuration()
