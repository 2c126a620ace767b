"""Fixtures for the apps on the minimal host (tests/apps/settings.py): content from factories."""

import os

import pytest
from wagtail.models import Page, Site

from tests.conftest import ensure_wagtail_base_rows
from tests.factories import (
    AppointmentFormFieldFactory,
    AppointmentFormPageFactory,
    TreatmentIndexPageFactory,
    TreatmentPageFactory,
    next_steps_block,
    steps_block,
)

# The second host's tests need its own settings (and so a process of their own, which
# tests/apps/test_second_host.py starts).
SECOND_HOST_SETTINGS = "tests.apps.second_host.settings"
collect_ignore = [] if os.environ.get("DJANGO_SETTINGS_MODULE") == SECOND_HOST_SETTINGS else ["second_host"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty rate-limit counters: every test client posts from 127.0.0.1."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def host_home(db):
    """The host's home page (a plain Wagtail page the apps know nothing about), the default site's root."""
    ensure_wagtail_base_rows()
    root = Page.get_first_root_node()
    home = root.get_children().first() or root.add_child(instance=Page(title="Host home", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    return home


@pytest.fixture
def form_page(host_home):
    page = AppointmentFormPageFactory(parent=host_home, slug="request")
    AppointmentFormFieldFactory(page=page, label="Full name", field_type="singleline")
    AppointmentFormFieldFactory(page=page, label="Email", field_type="email")
    page.save_revision().publish()
    return page


@pytest.fixture
def article(host_home, form_page):
    index = TreatmentIndexPageFactory(parent=host_home, slug="treatments")
    page = TreatmentPageFactory(
        parent=index,
        title="Mesotherapy",
        slug="mesotherapy",
        body=[
            steps_block(("Avoid aspirin for a week", ["Ask your doctor first"]), ("Drink water", [])),
            next_steps_block(form_page),
        ],
    )
    page.save_revision().publish()
    return page
