from django.apps import AppConfig


class CmsSiteConfig(AppConfig):
    """The reference site. Purging its caches on change is treatment_pages' (``treatment_pages.caching.purging``)."""

    name = "cms_site"
    verbose_name = "Clinic site"
