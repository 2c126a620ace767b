"""The test hosts' URLconf: wagtail start's (tests/apps/urls_without_apps.py), then the README's
``plugin-proof:urls`` block, as pasted at the end of urls.py."""

from tests.apps.readme import run_block
from tests.apps.urls_without_apps import *  # noqa: F403 (wagtail start's urls.py, names and all)

# A list of its own: a block that extends it in place must not change urls_without_apps.
urlpatterns = list(urlpatterns)  # noqa: F405
run_block("urls", globals())
