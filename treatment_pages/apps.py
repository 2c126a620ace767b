from django.apps import AppConfig


class TreatmentPagesConfig(AppConfig):
    name = "treatment_pages"
    verbose_name = "Treatment articles"

    def ready(self):
        # Connects the delete signals that keep rating summaries exact.
        from treatment_pages import ratings  # noqa: F401
