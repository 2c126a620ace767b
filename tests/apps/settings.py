"""The apps' test host, made the way a new user makes one: a ``wagtail start`` project's
settings (tests/apps/settings_wagtail_start.py), then the README's ``plugin-proof:settings``
block run on them, as pasted at the end of ``base.py``.

The apps are not listed here by hand: they, and whatever else a host must add, come from the
README (read by tests/apps/readme.py, as .ci/plugin_proof.py reads it). So a step the README
forgets fails these tests, and a test here fails if an app starts to depend on the reference
site. Run with ``pytest tests/apps --ds=tests.apps.settings`` (``make test`` does).
"""

from tests.apps.settings_wagtail_start import apply_readme_settings, wagtail_start_settings

globals().update(wagtail_start_settings())
ROOT_URLCONF = "tests.apps.urls"
apply_readme_settings(globals())
