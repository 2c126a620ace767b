"""The admin warns a coordinator a minute before the idle sign-out, in headless Chromium.

The warning is a named, non-modal dialog: announced once (focus moves to it), then politely
at a few milestones; any key, click or typing anywhere is activity, and a note being typed
keeps its text.
"""

import re
import time

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse
from django.utils.module_loading import import_string

from lead_forms.middleware import SESSION_KEY
from tests.browser import axe_violations, describe_violations, save_screenshot, sign_in, wait_until
from tests.lead_forms.conftest import make_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DIALOG_NAME = "You will be signed out soon"


def session_of(page, settings) -> SessionBase:
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    return store(session_key=cookie["value"])


def signed_in_coordinator(page, live_server, coordinator):
    coordinator.set_password("a-long-test-password")
    coordinator.save()
    # Through the form (password, then the authenticator's code): the session a person gets.
    sign_in(page, live_server.url, coordinator.username, "a-long-test-password")


def test_coordinator_is_warned_a_minute_before_by_a_named_dialog_and_can_stay_signed_in(
    live_server, browser_page, demo_site, coordinator, settings
):
    # The warning is due 60 s before the end: after 2 s of inactivity here.
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 62
    page = browser_page
    signed_in_coordinator(page, live_server, coordinator)

    warning = page.get_by_role("dialog", name=DIALOG_NAME)
    warning.wait_for(state="visible")
    assert "anything you have not saved will be lost" in warning.inner_text()
    assert re.search(r"Time left: [01]:\d\d", warning.inner_text())
    # Announced once, by focus: its name and description are read when it takes focus.
    assert page.evaluate("document.activeElement.id") == "lead-forms-idle-warning"
    assert warning.get_attribute("aria-describedby") == "lead-forms-idle-text"
    # Nothing assertive, nothing that speaks every second.
    assert (
        page.locator("[data-lead-forms-idle-warning] [aria-live=assertive], [role=alertdialog]").count() == 0
    )
    assert warning.get_by_role("status").inner_text() == ""
    violations = axe_violations(page, context="[data-lead-forms-idle-warning]", tags=WCAG_22_AA)
    assert violations == [], describe_violations(violations)
    save_screenshot(page, "idle-dialog-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, "idle-dialog-phone")
    before = session_of(page, settings)[SESSION_KEY]

    # The dialog hides at once and then tells the server: wait for the server's answer.
    with page.expect_response(lambda response: response.request.method == "POST"):
        warning.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")
    assert session_of(page, settings)[SESSION_KEY] > before
    assert time.time() - session_of(page, settings)[SESSION_KEY] < 10


def test_the_warning_speaks_politely_at_a_few_milestones_only(
    live_server, browser_page, demo_site, coordinator, settings
):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 62
    page = browser_page
    # The page's clock, so a minute of countdown takes no minute here.
    page.clock.install()
    signed_in_coordinator(page, live_server, coordinator)
    warning = page.get_by_role("dialog", name=DIALOG_NAME)
    warning.wait_for(state="visible")
    # A second ahead: the page's clock runs on until paused (a time already past is refused).
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)
    page.evaluate(
        """() => {
            window.spoken = [];
            const status = document.querySelector("[data-lead-forms-idle-warning] [role=status]");
            new MutationObserver(() => status.textContent && window.spoken.push(status.textContent))
                .observe(status, {childList: true, characterData: true, subtree: true});
        }"""
    )
    shown = warning.inner_text()

    page.clock.run_for(51_000)

    assert warning.inner_text() != shown  # the countdown on screen moved on, unannounced
    assert page.evaluate("window.spoken") == [
        "30 seconds left before you are signed out.",
        "10 seconds left before you are signed out.",
    ]


def test_typing_a_note_while_the_warning_shows_keeps_every_key_and_counts_as_activity(
    live_server, browser_page, demo_site, coordinator, settings
):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 64
    from lead_forms.models import AppointmentFormPage

    submission = make_submission(AppointmentFormPage.objects.get(slug="request-an-appointment"))
    page = browser_page
    signed_in_coordinator(page, live_server, coordinator)
    page.goto(
        live_server.url + reverse("lead_forms_appointmentsubmission_modeladmin_inspect", args=[submission.pk])
    )
    note = page.get_by_label("New note")
    note.focus()  # in the note, then away from the keyboard
    warning = page.get_by_role("dialog", name=DIALOG_NAME)
    warning.wait_for(state="visible")
    before = session_of(page, settings)[SESSION_KEY]

    page.keyboard.type("Called back")

    warning.wait_for(state="hidden")
    assert note.input_value() == "Called back"
    assert page.evaluate("document.activeElement.id") == "id_note"
    wait_until(lambda: session_of(page, settings)[SESSION_KEY] > before, "The typing was never reported")


def test_typing_without_sending_anything_counts_and_only_inactivity_brings_the_warning(
    live_server, browser_page, demo_site, coordinator, settings
):
    """A person writing a long note sends no request; their keys still count as activity."""
    # The warning would be due 60 s before the end: 4 s after the page loads.
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 64
    page = browser_page
    signed_in_coordinator(page, live_server, coordinator)
    # The page's script counts keys once the server has said this user is signed out when idle.
    page.locator("script[data-armed]").wait_for(state="attached")
    loaded = session_of(page, settings)[SESSION_KEY]

    # A key pressed on the page (nothing is sent) before the warning is due...
    page.keyboard.press("Shift")
    warning = page.get_by_role("dialog", name=DIALOG_NAME)
    # ...is reported when it is due, instead of the warning.
    wait_until(lambda: session_of(page, settings)[SESSION_KEY] > loaded, "The key press was never reported")
    assert not warning.is_visible()

    # Nothing more: the warning comes when due again.
    warning.wait_for(state="visible")
    assert "anything you have not saved will be lost" in warning.inner_text()
