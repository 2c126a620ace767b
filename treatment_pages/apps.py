from django.apps import AppConfig


class TreatmentPagesConfig(AppConfig):
    name = "treatment_pages"
    verbose_name = "Treatment articles"

    def ready(self):
        # Connects the delete signals that keep rating summaries exact.
        from treatment_pages import ratings  # noqa: F401
        from treatment_pages.caching import connect_signals

        # Cached navigation and breadcrumb fragments are retired when pages change.
        connect_signals()
