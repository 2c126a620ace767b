"""In Chromium, the Readability panel of a new article follows the editor's typing, unsaved."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import leave_editor, start_signed_in
from tests.factories import TreatmentIndexPageFactory, UserFactory
from treatment_pages.models import TreatmentPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_readability_panel_scores_the_intro_as_it_is_typed(live_server, browser_page, host_home):
    index = TreatmentIndexPageFactory(parent=host_home, slug="treatments")
    UserFactory(username="writer", is_superuser=True, is_staff=True)
    page = browser_page
    start_signed_in(page, live_server.url, "writer")
    page.goto(
        live_server.url
        + reverse("wagtailadmin_pages:add", args=["treatment_pages", "treatmentpage", index.pk])
    )
    panel = page.locator("[data-readability-panel]")
    expect(panel).to_contain_text("Nothing to score yet")

    page.locator("#id_intro").press_sequentially("Ok. ")
    page.locator("#id_intro").fill(
        "Mesotherapy administers individualised pharmacological preparations intradermally, "
        "potentially ameliorating localised adiposity and cutaneous laxity."
    )

    expect(panel).to_contain_text("Reading grade 37.6 (Flesch-Kincaid)")
    expect(panel.locator("[data-readability-summary]")).to_have_attribute("data-readability-harder", "true")
    assert not TreatmentPage.objects.exists()
    leave_editor(page)
