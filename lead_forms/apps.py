from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadFormsConfig(AppConfig):
    name = "lead_forms"
    verbose_name = _("Appointment requests")
    # Set here, not left to the host's DEFAULT_AUTO_FIELD: the migrations use BigAutoField.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Missing patient-data keys are a system check error (lead_forms.E010), not a start-up
        # crash: `help`, `collectstatic` and a fresh `migrate` run without them.
        from lead_forms import checks  # noqa: F401 - checks register themselves
