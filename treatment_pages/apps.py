from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatmentPagesConfig(AppConfig):
    name = "treatment_pages"
    verbose_name = _("Treatment articles")
    # Set here, not left to the host's DEFAULT_AUTO_FIELD: the migrations use BigAutoField.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connects the delete signals that keep rating summaries exact.
        from treatment_pages import checks, ratings  # noqa: F401
