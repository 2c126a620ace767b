import os

import pytest
from django.core.management import call_command
from wagtail.models import Page, Site

from cms_site.models import HomePage
from treatment_pages.models import TreatmentIndexPage, TreatmentPage

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def demo_site(db):
    """The demo clinic exactly as ``manage.py load_demo`` builds it."""
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home_page(demo_site):
    return HomePage.objects.get()


@pytest.fixture
def treatment_index(demo_site):
    return TreatmentIndexPage.objects.get(slug="treatments")


@pytest.fixture
def mesotherapy(demo_site):
    return TreatmentPage.objects.get(slug="mesotherapy")


@pytest.fixture
def root_page(db):
    return Page.get_first_root_node()
