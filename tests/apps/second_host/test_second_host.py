"""An existing Wagtail site (tests/apps/second_host/settings.py) after the README's steps: the
blocks apply cleanly, and the site's own form page keeps its Forms menu entry and submissions.

Run by tests/apps/test_second_host.py in a process of its own, or directly with
``pytest tests/apps/second_host --ds=tests.apps.second_host.settings``.
"""

import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.apps.second_host.models import FormField, FormPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_page(host_home):
    """The site's own contact form, with one submission."""
    page = host_home.add_child(instance=FormPage(title="Contact us", slug="contact", to_address=""))
    FormField.objects.create(page=page, label="Your name", field_type="singleline", required=True)
    page.save_revision().publish()
    page.get_submission_class().objects.create(page=page, form_data={"your_name": "Grace Hopper"})
    return page


def sidebar_menu_urls(html):
    """The URLs of the admin sidebar's menu items (Wagtail draws the sidebar from this JSON)."""
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    assert props, "the admin page has no sidebar"
    return set(re.findall(r'"url": "([^"]*)"', json.dumps(json.loads(props.group(1)))))


def test_the_readme_settings_add_the_apps_without_listing_wagtail_contrib_settings_twice():
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]

    assert settings.INSTALLED_APPS.count("wagtail.contrib.settings") == 1
    assert processors.count("wagtail.contrib.settings.context_processors.settings") == 1
    assert {"treatment_pages", "lead_forms", "tests.apps.second_host"} <= set(settings.INSTALLED_APPS)
    call_command("check", stdout=open("/dev/null", "w"))  # noqa: SIM115 (raises on any error)


def test_the_sites_forms_menu_entry_stays(admin_client, contact_page):
    response = admin_client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    menu = sidebar_menu_urls(response.content.decode())
    assert reverse("wagtailimages:index") in menu  # the sidebar is read right
    assert reverse("wagtailforms:index") in menu


def test_the_sites_form_page_and_its_submissions_stay_listed(admin_client, contact_page):
    response = admin_client.get(reverse("wagtailforms:index"))

    assert response.status_code == 200
    assert "Contact us" in response.content.decode()

    response = admin_client.get(reverse("wagtailforms:list_submissions", args=[contact_page.pk]))

    assert response.status_code == 200
    assert "Grace Hopper" in response.content.decode()
