"""The minimal host with the plugin's apps listed after Wagtail's, as ``INSTALLED_APPS += [...]`` puts them.

For ``manage.py check`` in a subprocess (the app registry cannot be re-populated in-process).
"""

from tests.apps.settings import *  # noqa: F403

_PLUGIN_APPS = ["treatment_pages", "lead_forms"]
INSTALLED_APPS = [name for name in INSTALLED_APPS if name not in _PLUGIN_APPS] + _PLUGIN_APPS  # noqa: F405
