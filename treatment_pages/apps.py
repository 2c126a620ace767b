from django.apps import AppConfig


class TreatmentPagesConfig(AppConfig):
    name = "treatment_pages"
    verbose_name = "Treatment articles"

    def ready(self):
        # Connects the delete signals that keep rating summaries exact, and the webhooks' events.
        from treatment_pages import ratings, webhooks  # noqa: F401
        from treatment_pages.block_schemas import register_typed_streamfields

        # Before Wagtail's v3 API builds its page schemas (see the function's docstring).
        register_typed_streamfields()
