"""Production settings plus the stock page type (page_render.py's servers only)."""

from cms_site.settings.production import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.stock_wagtail"]  # noqa: F405
