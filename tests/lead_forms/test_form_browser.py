"""A patient filling in the appointment form in headless Chromium."""

import pytest

from lead_forms.models import AppointmentSubmission
from tests.browser import TIMEOUT_MS, axe_violations, describe_violations, save_screenshot
from tests.lead_forms.conftest import clear_rate_limit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set SCREENSHOT_DIR to keep screenshots of the form, its errors and the thank-you page.


def screenshot(page, name):
    save_screenshot(page, name, full_page=True)


def textbox(page, name):
    return page.get_by_role("textbox", name=name, exact=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limit_for_the_browser():
    """The browser posts from 127.0.0.1: start and end each test with its counter cleared."""
    clear_rate_limit("127.0.0.1")
    yield
    clear_rate_limit("127.0.0.1")


@pytest.fixture
def form_page(demo_site):
    from lead_forms.models import AppointmentFormPage

    return AppointmentFormPage.objects.get(slug="request-an-appointment")


def test_patient_fixes_errors_and_sends_a_request(live_server, browser_page, form_page, settings):
    # A person takes longer than this; the time-trap's own tests use the real default.
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0.5
    page = browser_page
    page.goto(live_server.url + form_page.url)

    textbox(page, "First name").fill("Ada")
    textbox(page, "Email").fill("ada@example")
    textbox(page, "Phone").fill("555")
    textbox(page, "Your comments").fill("Mornings suit me best.")
    page.get_by_role("button", name="Send request").click()

    summary = page.get_by_role("alert")
    assert "problems with your request" in summary.inner_text()
    # Focus moved to the summary, whose links lead to each field.
    # (The focusing script is deferred: wait for it rather than race it; this fails on timeout.)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")
    summary.get_by_role("link", name="Enter your last name").click()
    assert page.evaluate("document.activeElement.id") == "id_last_name"
    assert textbox(page, "First name").input_value() == "Ada"
    assert textbox(page, "Your comments").input_value() == "Mornings suit me best."
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert not AppointmentSubmission.objects.exists()

    textbox(page, "Last name").fill("Lovelace")
    textbox(page, "City").fill("Springfield")
    textbox(page, "State").fill("IL")
    textbox(page, "Email").fill("ada@example.com")
    textbox(page, "Phone").fill("+1 (217) 555-0100")
    page.get_by_role("radio", name="Phone").check()
    page.get_by_role("button", name="Send request").click()

    page.get_by_role("heading", name="Thank you, we have received your request").wait_for()
    submission = AppointmentSubmission.objects.get()
    assert submission.reference in page.inner_text("main")
    assert not submission.is_spam
    assert submission.form_data["phone"] == "(217) 555-0100"  # formatted once, on arrival


def test_form_and_thank_you_pages_have_no_serious_accessibility_violations(
    live_server, browser_page, form_page, settings
):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0
    page = browser_page
    page.goto(live_server.url + form_page.url)
    screenshot(page, "form-desktop")
    assert (violations := axe_violations(page)) == [], describe_violations(violations)

    page.get_by_role("button", name="Send request").click()
    page.get_by_role("alert").wait_for()
    screenshot(page, "form-errors")
    assert (violations := axe_violations(page)) == [], describe_violations(violations)

    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "form-errors-phone")
    page.set_viewport_size({"width": 1200, "height": 900})
    for label, value in [
        ("First name", "Ada"),
        ("Last name", "Lovelace"),
        ("City", "Springfield"),
        ("State", "IL"),
        ("Email", "ada@example.com"),
        ("Phone", "217 555 0100"),
    ]:
        textbox(page, label).fill(value)
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="Thank you, we have received your request").wait_for()
    screenshot(page, "thank-you")
    assert (violations := axe_violations(page)) == [], describe_violations(violations)


def test_article_with_embedded_form_has_no_serious_accessibility_violations(
    live_server, browser_page, form_page, article_with_form
):
    browser_page.goto(live_server.url + article_with_form.url)

    assert browser_page.locator(".next-steps form.appointment-form").count() == 1
    assert (violations := axe_violations(browser_page)) == [], describe_violations(violations)


@pytest.fixture
def everyday_browser_page(_chromium):
    """A page in the full Chromium as people run it: unlike Playwright's default launch, with
    the back/forward cache on, so going back shows the very form the patient sent."""
    from tests.browser import CHROMIUM_ARGS, FULL_CHROMIUM

    browser = _chromium.browser_type.launch(
        executable_path=FULL_CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    browser.close()


def test_reloading_the_thank_you_page_and_going_back_to_send_again_keep_one_request(
    live_server, everyday_browser_page, form_page, settings
):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0
    page = everyday_browser_page
    page.goto(live_server.url + form_page.url)
    for label, value in [
        ("First name", "Ada"),
        ("Last name", "Lovelace"),
        ("City", "Springfield"),
        ("State", "IL"),
        ("Email", "ada@example.com"),
        ("Phone", "217 555 0100"),
    ]:
        textbox(page, label).fill(value)
    page.get_by_role("button", name="Send request").click()
    thanks = page.get_by_role("heading", name="Thank you, we have received your request")
    thanks.wait_for()
    submission = AppointmentSubmission.objects.get()
    assert "/thank-you/" in page.url
    assert submission.reference in page.inner_text("main")
    assert page.title().startswith("Request received")
    screenshot(page, "thank-you-after-redirect")

    # Reloading the thank-you page is a GET: no "resend the form?" prompt, nothing sent.
    page.reload()
    thanks.wait_for()
    assert submission.reference in page.inner_text("main")
    assert AppointmentSubmission.objects.count() == 1

    # Back to the form, still filled in, and sent again: the first request's page.
    # Restored from the back/forward cache, the page fires no "load" event.
    page.go_back(wait_until="commit")
    page.get_by_role("button", name="Send request").wait_for()
    assert textbox(page, "Last name").input_value() == "Lovelace"
    page.get_by_role("button", name="Send request").click()
    thanks.wait_for()
    assert submission.reference in page.inner_text("main")
    assert AppointmentSubmission.objects.count() == 1
    screenshot(page, "thank-you-after-resend")


@pytest.fixture(params=["back/forward cache on", "back/forward cache off"])
def chromium_with_and_without_bfcache(request, _chromium):
    """The full Chromium twice: with the back/forward cache (as people run it), and without
    it (as under memory pressure, or after a page is evicted), where Back fetches the page again."""
    from tests.browser import CHROMIUM_ARGS, FULL_CHROMIUM

    bfcache = request.param == "back/forward cache on"
    browser = _chromium.browser_type.launch(
        executable_path=FULL_CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        ignore_default_args=["--disable-back-forward-cache"] if bfcache else [],
    )
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    browser.close()


CORRECT_ANSWERS = [
    ("First name", "Ada"),
    ("Last name", "Lovelace"),
    ("City", "Springfield"),
    ("State", "IL"),
    ("Email", "ada@example.com"),
    ("Phone", "217 555 0100"),
]


def test_back_and_reload_after_a_mistake_never_resend_nor_show_a_browser_error(
    live_server, chromium_with_and_without_bfcache, form_page, settings
):
    """Issue 27 item 2: a patient who made a mistake, then sent the form, goes back from the
    thank-you page and reloads: no "Confirm Form Resubmission" (ERR_CACHE_MISS), nothing sent,
    and the same answers sent again from the form shown again are the same request."""
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0
    page = chromium_with_and_without_bfcache
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.goto(live_server.url + form_page.url)
    for label, value in CORRECT_ANSWERS:
        if label != "Last name":
            textbox(page, label).fill(value)
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("alert").wait_for()
    textbox(page, "Last name").fill("Lovelace")
    page.get_by_role("button", name="Send request").click()
    thanks = page.get_by_role("heading", name="Thank you, we have received your request")
    thanks.wait_for()
    submission = AppointmentSubmission.objects.get()
    assert len(posts) == 2

    # Back from the thank-you page: the form (a browser error page would raise here).
    page.go_back(wait_until="commit")
    page.get_by_role("button", name="Send request").wait_for()
    assert textbox(page, "Last name").input_value() == "Lovelace"
    # Reloading it fetches the form again: nothing is sent.
    page.reload()
    page.get_by_role("button", name="Send request").wait_for()
    assert len(posts) == 2
    assert page.get_by_role("alert").count() == 0
    assert AppointmentSubmission.objects.count() == 1

    # The same answers sent from the form shown again: the first request's reference.
    for label, value in CORRECT_ANSWERS:
        textbox(page, label).fill(value)
    page.get_by_role("button", name="Send request").click()
    thanks.wait_for()
    assert submission.reference in page.inner_text("main")
    assert AppointmentSubmission.objects.count() == 1


def test_mistakes_never_bring_the_please_wait_page(live_server, browser_page, form_page, settings):
    """Issue 27 item 1: six sends with a mistake, then a correct one: thanked, not told to wait."""
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0
    page = browser_page
    page.goto(live_server.url + form_page.url)
    for _ in range(6):
        page.get_by_role("button", name="Send request").click()
        page.get_by_role("alert").wait_for()
        assert "Please wait" not in page.inner_text("main")

    for label, value in CORRECT_ANSWERS:
        textbox(page, label).fill(value)
    page.get_by_role("button", name="Send request").click()

    page.get_by_role("heading", name="Thank you, we have received your request").wait_for()
    assert AppointmentSubmission.objects.count() == 1


def in_view(page, selector):
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight;
        }""",
        selector,
    )


def test_an_error_summary_link_focuses_its_field_with_the_label_and_error_in_view(
    live_server, browser_page, form_page
):
    """Issue 27 item 8, as GOV.UK's error summary: the label (or legend) and the error stay on
    screen above the focused field, on a phone too."""
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + form_page.url)
    textbox(page, "First name").fill("Ada")
    page.get_by_role("button", name="Send request").click()
    summary = page.get_by_role("alert")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")

    summary.get_by_role("link", name="Enter your phone").click()

    assert page.evaluate("document.activeElement.id") == "id_phone"
    for selector in ("label[for=id_phone]", "#id_phone_error", "#id_phone"):
        assert in_view(page, selector), selector
    save_screenshot(page, "error-link-followed-phone")
