from django.apps import AppConfig


class CmsSiteConfig(AppConfig):
    name = "cms_site"
    verbose_name = "Clinic site"

    def ready(self):
        from cms_site import admin_session, signals

        signals.connect()
        admin_session.connect()
