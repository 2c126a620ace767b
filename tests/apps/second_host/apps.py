from django.apps import AppConfig


class SecondHostConfig(AppConfig):
    """An existing site's own app: a contact form page made with wagtail.contrib.forms."""

    name = "tests.apps.second_host"
    label = "second_host"
    default_auto_field = "django.db.models.BigAutoField"
