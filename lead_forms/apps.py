from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadFormsConfig(AppConfig):
    name = "lead_forms"
    verbose_name = _("Appointment requests")
    # Set here, not left to the host's DEFAULT_AUTO_FIELD: the migrations use BigAutoField.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Missing patient-data keys are a system check error (lead_forms.E011), not a start-up
        # crash: `help`, `collectstatic` and a fresh `migrate` run without them.
        from lead_forms import checks, uninstall  # noqa: F401 - checks register themselves

        # `migrate lead_forms zero` refuses while requests or form pages exist.
        uninstall.connect(self)
        self.register_api_v3()

    def register_api_v3(self):
        """Add the app's endpoints to Wagtail's v3 API, as ``wagtail.images`` and ``wagtail.snippets`` do.

        A host serves them where it mounts that API (``path("api/v3/", api.urls)`` with
        ``from wagtail.api.v3.urls import api``); one that does not mount it serves none.
        Guarded as an optional integration: where Wagtail's v3 API or django-ninja cannot be
        imported, the app works without its API endpoints.
        """
        try:
            from wagtail.api.v3.api import api
        except ImportError:
            return
        from lead_forms.api import routers as endpoints

        endpoints.register(api)
