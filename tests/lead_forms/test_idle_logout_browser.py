"""The admin warns a coordinator a minute before the idle sign-out, in headless Chromium."""

import time

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.utils.module_loading import import_string

from lead_forms.middleware import SESSION_KEY
from tests.browser import save_screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session_of(page, settings) -> SessionBase:
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    return store(session_key=cookie["value"])


def test_coordinator_is_warned_a_minute_before_and_can_stay_signed_in(
    live_server, browser_page, demo_site, coordinator, settings
):
    # The warning is due 60 s before the end: after 2 s of inactivity here.
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 62
    coordinator.set_password("a-long-test-password")
    coordinator.save()
    page = browser_page
    # Through the form (password, then the authenticator's code): the session a person gets.
    sign_in(page, live_server.url, coordinator.username, "a-long-test-password")

    warning = page.locator("[data-lead-forms-idle-warning]")
    warning.wait_for(state="visible", timeout=20_000)
    assert "You will be signed out in" in warning.inner_text()
    save_screenshot(page, "idle-warning")
    before = session_of(page, settings)[SESSION_KEY]

    page.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")
    assert session_of(page, settings)[SESSION_KEY] > before
    assert time.time() - session_of(page, settings)[SESSION_KEY] < 10


def test_typing_without_sending_anything_counts_and_only_inactivity_brings_the_warning(
    live_server, browser_page, demo_site, coordinator, settings
):
    """A person writing a long note sends no request; their keys still count as activity."""
    # The warning would be due 60 s before the end: 4 s after the page loads.
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 64
    coordinator.set_password("a-long-test-password")
    coordinator.save()
    page = browser_page
    sign_in(page, live_server.url, coordinator.username, "a-long-test-password")
    loaded = session_of(page, settings)[SESSION_KEY]

    # Keys pressed on the page (nothing is sent) before the warning is due...
    page.keyboard.press("Shift")
    time.sleep(1)
    page.keyboard.press("Shift")
    warning = page.locator("[data-lead-forms-idle-warning]")
    # ...are reported when it is due, instead of the warning.
    deadline = time.time() + 15
    while session_of(page, settings)[SESSION_KEY] == loaded and time.time() < deadline:
        time.sleep(0.5)
    assert session_of(page, settings)[SESSION_KEY] > loaded
    assert not warning.is_visible()

    # Nothing more: the warning comes when due again.
    warning.wait_for(state="visible", timeout=20_000)
    assert "You will be signed out in" in warning.inner_text()
