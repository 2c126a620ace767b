from django.apps import AppConfig


class CmsSiteConfig(AppConfig):
    name = "cms_site"
    verbose_name = "Clinic site"

    def ready(self):
        from cms_site import signals

        signals.connect()
