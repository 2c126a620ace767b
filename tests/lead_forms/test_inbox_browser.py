"""A front-desk coordinator working through requests in the admin, in headless Chromium."""

import os

import pytest

from lead_forms.models import AppointmentFormPage, StatusChange
from tests.lead_forms.conftest import make_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set SCREENSHOT_DIR to keep screenshots of the inbox and a request's page.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


def screenshot(page, name):
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}.png"), full_page=True)


def test_coordinator_finds_a_request_and_marks_it_contacted(
    live_server, browser_page, demo_site, coordinator
):
    form_page = AppointmentFormPage.objects.get(slug="request-an-appointment")
    make_submission(form_page, first_name="Otherperson", email="other@example.org")
    wanted = make_submission(
        form_page, first_name="Browserpatient", last_name="Lindqvist", email="bp@example.org"
    )
    coordinator.set_password("a-long-test-password")
    coordinator.save()
    page = browser_page

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Appointment requests").first.click()
    # Waits for the inbox to load (fails on timeout if the request is not listed).
    page.get_by_role("link", name="Otherperson Quillfeather").wait_for()
    screenshot(page, "inbox")

    page.get_by_role("textbox", name="Search").fill("bp@example.org")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=bp*")
    page.get_by_role("link", name="Browserpatient Lindqvist").wait_for()
    assert page.get_by_role("link", name="Otherperson Quillfeather").count() == 0
    page.get_by_role("link", name="Browserpatient Lindqvist").click()
    screenshot(page, "request")

    page.get_by_label("New status").select_option("contacted")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("New → Contacted, by Fran Desk").wait_for()
    screenshot(page, "request-after-status")
    change = StatusChange.objects.get(submission=wanted)
    assert change.user == coordinator and change.new_value == "contacted"
