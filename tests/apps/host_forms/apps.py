from django.apps import AppConfig


class HostFormsConfig(AppConfig):
    name = "tests.apps.host_forms"
    label = "host_forms"
    default_auto_field = "django.db.models.BigAutoField"
