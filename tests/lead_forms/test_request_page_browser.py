"""A request's page in the inbox on a phone (390x844), in headless Chromium: the reference
once, prominently and whole; the patient's contact details on the first screen."""

import re

import pytest
from django.urls import reverse

from lead_forms.models import AppointmentFormPage
from tests.browser import axe_violations, describe_violations, save_screenshot, start_signed_in
from tests.lead_forms.conftest import make_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def lines_taken(page, text):
    """On how many lines the first occurrence of ``text`` in the page's main content is drawn."""
    return page.evaluate(
        """(text) => {
            const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const at = walker.currentNode.textContent.indexOf(text);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(walker.currentNode, at);
                range.setEnd(walker.currentNode, at + text.length);
                return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
            }
            return 0;
        }""",
        text,
    )


def test_request_page_on_a_phone_shows_the_reference_once_whole_and_the_contact_details_first(
    live_server, browser_page, demo_site, coordinator
):
    submission = make_submission(
        AppointmentFormPage.objects.get(slug="request-an-appointment"),
        first_name="Browserpatient",
        last_name="Lindqvist",
        email="bp@example.org",
    )
    page = browser_page
    page.set_viewport_size(PHONE)
    start_signed_in(page, live_server.url, coordinator.username)

    # In the inbox's list too.
    page.goto(live_server.url + reverse("lead_forms_appointmentsubmission_modeladmin_index"))
    assert lines_taken(page, submission.reference) == 1
    page.goto(
        live_server.url + reverse("lead_forms_appointmentsubmission_modeladmin_inspect", args=[submission.pk])
    )

    save_screenshot(page, "request-page-phone")
    save_screenshot(page, "request-page-phone-full", full_page=True)
    main = page.locator("main")
    # Once, as the page's heading (the success message of a status change may add another).
    assert len(re.findall(re.escape(submission.reference), main.inner_text())) == 1
    reference = page.get_by_role("heading", level=1).filter(has_text=submission.reference)
    assert reference.count() == 1
    # Whole on one line: "AR-" and the rest never part.
    assert lines_taken(page, submission.reference) == 1
    # How to reach the patient is on the first screen.
    for link in (
        page.get_by_role("link", name="bp@example.org"),
        page.get_by_role("link", name=re.compile("555")),
    ):
        box = link.first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    violations = axe_violations(page, context="main")
    assert violations == [], describe_violations(violations)
    page.set_viewport_size({"width": 1200, "height": 900})
    save_screenshot(page, "request-page-desktop")
