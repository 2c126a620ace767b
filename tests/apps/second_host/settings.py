"""A second test host: an existing Wagtail site that already lists ``wagtail.contrib.settings``
(and its context processor, as many sites do) and has its own contact ``FormPage``, with the
README's settings and URL blocks applied on top, as for a new project (tests/apps/settings.py).

Its tests (the README host checks and tests/apps/second_host/test_neighbour.py) run in a process of their own (tests/apps/test_second_host.py starts it): Django's
app registry is made once per process.
"""

from tests.apps.settings_wagtail_start import apply_readme_settings, wagtail_start_settings

_settings = wagtail_start_settings()
_settings["INSTALLED_APPS"][:0] = ["tests.apps.second_host", "wagtail.contrib.settings"]
_settings["TEMPLATES"][0]["OPTIONS"]["context_processors"].append(
    "wagtail.contrib.settings.context_processors.settings"
)
globals().update(_settings)
ROOT_URLCONF = "tests.apps.urls"
apply_readme_settings(globals())
