from django.apps import AppConfig


class TreatmentPagesConfig(AppConfig):
    name = "treatment_pages"
    verbose_name = "Treatment articles"
