""" "Was this page helpful?" in Chromium: with and without JavaScript, scrubbed comments, counts in
the admin, the review queue after the configured number of "out of date" answers, and axe."""

import pytest

from cms_site.management.commands.load_demo import DEMO_ADMIN_USERNAME
from tests.browser import axe_violations, describe_violations, save_screenshot, start_signed_in
from treatment_pages.models import PageFeedback
from treatment_pages.review import service as review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


@pytest.fixture
def feedback_settings(settings):
    settings.TREATMENT_PAGES_FEEDBACK_REVIEW_THRESHOLD = 2
    # Every browser here is 127.0.0.1: no new-voter limit left over in a shared cache from an earlier run.
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 0
    return settings


def test_no_out_of_date_with_personal_details_is_stored_scrubbed_counted_and_queues_the_page(
    live_server, browser_page, mesotherapy, feedback_settings
):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    feedback = page.locator("#feedback")
    reasons = feedback.get_by_role("group", name="If not, what was wrong?")
    assert not reasons.is_visible()  # shown only after "No" once the script runs

    feedback.get_by_label("No", exact=True).check()
    assert reasons.is_visible()
    reasons.get_by_label("It looks out of date").check()
    feedback.get_by_label("Tell us more (optional)").fill(
        "The prices are old. Email me at pat.smith@example.com or call +1 (217) 555-0199."
    )
    feedback.scroll_into_view_if_needed()
    save_screenshot(feedback, "feedback-filled")
    feedback.get_by_role("button", name="Send feedback").click()
    status = feedback.get_by_role("status")
    status.get_by_text("Thank you for your feedback.").wait_for()
    save_screenshot(feedback, "feedback-thanks")

    answer = PageFeedback.objects.get()
    assert (answer.helpful, answer.reason) == (False, "out_of_date")
    assert answer.comment == "The prices are old. Email me at [removed] or call [removed]."
    assert not review.review_queue().filter(review.status_q(review.READER_FEEDBACK)).exists()

    # A second reader, without JavaScript: the whole form shows, and posts to a thank-you page.
    no_script = page.context.browser.new_context(java_script_enabled=False)
    reader = no_script.new_page()
    reader.goto(live_server.url + mesotherapy.url)
    form = reader.locator("#feedback")
    assert form.get_by_role("group", name="If not, what was wrong?").is_visible()
    form.get_by_label("No", exact=True).check()
    form.get_by_label("It looks out of date").check()
    form.get_by_role("button", name="Send feedback").click()
    reader.get_by_role("heading", name="Thank you for your feedback").wait_for()
    save_screenshot(reader, "feedback-thanks-no-javascript")
    no_script.close()

    assert PageFeedback.objects.filter(reason="out_of_date").count() == 2
    assert review.review_queue().filter(review.status_q(review.READER_FEEDBACK)).get().pk == mesotherapy.pk

    # Staff see the counts per page and reason, and the article in the review queue with that reason.
    start_signed_in(page, live_server.url, DEMO_ADMIN_USERNAME)
    page.goto(live_server.url + "/admin/reports/reader-feedback/")
    row = page.locator("tbody tr", has_text="Mesotherapy")
    assert [cell.strip() for cell in row.locator("td").all_inner_texts()][1:] == [
        "0",
        "2",
        "0",
        "2",
        "0",
        "0",
    ]
    save_screenshot(page, "feedback-admin-report")
    page.goto(live_server.url + "/admin/reports/clinical-review/?status=reader_feedback")
    row = page.locator("tbody tr", has_text="Mesotherapy")
    assert "2 readers say it is out of date" in row.inner_text()
    save_screenshot(page, "feedback-review-queue")


def test_the_feedback_form_passes_axe_wcag22_aa_closed_and_open(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    page.locator("#feedback").scroll_into_view_if_needed()

    violations = axe_violations(page, impacts=ALL_IMPACTS, context="#feedback", tags=WCAG_22_AA)
    assert violations == [], describe_violations(violations)

    page.locator("#feedback").get_by_label("No", exact=True).check()
    violations = axe_violations(page, impacts=ALL_IMPACTS, context="#feedback", tags=WCAG_22_AA)
    assert violations == [], describe_violations(violations)


def test_a_mistake_without_javascript_comes_back_with_the_answers_kept(
    live_server, browser_page, mesotherapy
):
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + mesotherapy.url)
    form = page.locator("#feedback")
    form.get_by_label("Tell us more (optional)").fill("Forgot to choose")
    form.get_by_role("button", name="Send feedback").click()

    page.get_by_role("heading", name="Your feedback was not sent").wait_for()
    assert page.get_by_role("link", name="Choose yes or no.").is_visible()
    assert page.get_by_label("Tell us more (optional)").input_value() == "Forgot to choose"
    save_screenshot(page, "feedback-error-no-javascript")
    error_page = page.content()
    context.close()

    # axe needs JavaScript: the same document, loaded in a page at the same address that runs it.
    browser_page.goto(live_server.url + mesotherapy.url)
    browser_page.set_content(error_page)
    violations = axe_violations(browser_page, impacts=ALL_IMPACTS, tags=WCAG_22_AA)
    assert violations == [], describe_violations(violations)
    assert not PageFeedback.objects.exists()
