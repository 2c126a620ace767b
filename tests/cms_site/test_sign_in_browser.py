"""A coordinator's sign-in in a browser: password, then an authenticator code; ten wrong passwords lock it.

The authenticator is the test: it reads the secret the enrol page shows and computes the codes
an app would (django_otp.oath.totp), so the page's secret is proved right too.
"""

import re
from base64 import b32decode

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django_otp.oath import totp

from lead_forms.inbox.permissions import ensure_coordinators_group
from tests.browser import axe_violations, describe_violations, save_screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"  # noqa: S105 - tests.factories.UserFactory's


def app_code(secret, periods_ahead=0):
    """The six digits an authenticator app set up with ``secret`` (as the page shows it) displays."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=periods_ahead):06d}"


def submit_password(page, base_url, password):
    page.goto(base_url + "/admin/login/")
    type_password(page, password)


def type_password(page, password):
    """Type the coordinator's name and ``password`` into the sign-in form on the page, and send it."""
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def assert_accessible(page):
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


@pytest.mark.slow
def test_a_coordinator_signs_in_with_an_authenticator_code_and_ten_wrong_passwords_lock_the_account(
    live_server, browser_page, demo_site, settings
):
    coordinator = UserFactory(username="frontdesk")
    coordinator.groups.add(ensure_coordinators_group())
    page = browser_page
    base_url = live_server.url

    # First sign-in: password, then the enrol page (QR code and secret), a code, recovery codes.
    submit_password(page, base_url, PASSWORD)
    page.wait_for_url("**/two-factor/enrol/**")
    assert page.locator("#main h1").inner_text() == "Set up two-factor sign-in"
    assert page.locator(".lead-forms-qr-code svg").is_visible()
    secret = page.locator("#two-factor-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    assert_accessible(page)
    save_screenshot(page, "two-factor-enrol", full_page=True)
    page.get_by_label("Code").fill(app_code(secret))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/two-factor/recovery-codes/**")
    codes = page.get_by_role("list", name="Your recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(base_url + "/admin/")
    page.context.clear_cookies()

    # Ten wrong passwords, typed again into the form each wrong one answers with: the tenth
    # answer is already the lockout page.
    page.goto(base_url + "/admin/login/")
    for attempt in range(10):
        type_password(page, f"wrong-password-{attempt}")
    assert page.locator("#main h1").inner_text() == "Sign-in locked"
    # The right password is refused while the lock lasts.
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        submit_password(page, base_url, PASSWORD)
    assert answer.value.status == 429
    assert page.locator("#main h1").inner_text() == "Sign-in locked"
    assert page.get_by_text("Call an administrator of this site.").is_visible()
    assert_accessible(page)
    save_screenshot(page, "sign-in-locked", full_page=True)

    # After the cool-off (AXES_COOLOFF_TIME, 15 minutes): the password, then the app's code, and
    # the inbox is there. Rather than wait, the failures django-axes recorded are dated one
    # cool-off earlier, as they would be by then.
    moved = AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)
    assert moved > 0
    submit_password(page, base_url, PASSWORD)
    page.wait_for_url("**/two-factor/verify/**")
    assert_accessible(page)
    # The enrolment used this period's code and a code is good once: the app's next one is
    # accepted (django-otp allows one period of clock difference).
    page.get_by_label("Code").fill(app_code(secret, periods_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(base_url + "/admin/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Appointment requests").first.click()
    page.wait_for_url("**/admin/lead_forms/appointmentsubmission/**")
    assert page.locator("#main h1").first.inner_text().startswith("Appointment requests")
