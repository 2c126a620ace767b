"""The review seal in the browser: an editor changes a step and publishes, the live article says
"Clinical review pending"; the reviewer compares the signed text with the draft and approves;
the byline comes back with the new date and the public change note."""

import pytest
from django.utils import timezone

from cms_site.management.commands.load_demo import DEMO_ADMIN_USERNAME, DEMO_REVIEWER_USERNAME
from tests.browser import leave_editor, save_screenshot, start_signed_in
from treatment_pages.models import TreatmentPage
from treatment_pages.review.seal import REVIEWED, review_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOOTER_MENU = "footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']"


def open_footer_menu(page):
    page.locator(FOOTER_MENU).first.click()


def field_holding(page, value):
    """The editor's text input whose current value is ``value`` (StreamField inputs are built by script)."""
    index = page.evaluate(
        "(value) => Array.from(document.querySelectorAll('input[type=text], textarea'))"
        ".findIndex((el) => el.value === value)",
        value,
    )
    assert index >= 0, f"No field holds {value!r}"
    return page.locator("input[type=text], textarea").nth(index)


@pytest.mark.slow
def test_a_clinical_change_suspends_the_byline_until_the_reviewer_compares_and_approves(
    live_server, browser_page, demo_site
):
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())  # the readability check's confirmation
    article = TreatmentPage.objects.get(slug="mesotherapy")
    page.goto(live_server.url + article.url)
    assert "Medically reviewed by Dr Jane Doe" in page.locator(".review-byline").inner_text()

    # An editor publishes it unchanged: what the editor writes by itself (paragraph keys, list
    # items as blocks, defaults) is no clinical change.
    start_signed_in(page, live_server.url, DEMO_ADMIN_USERNAME)
    page.goto(live_server.url + f"/admin/pages/{article.pk}/edit/")
    open_footer_menu(page)
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("has been published").first.wait_for()
    assert review_status(TreatmentPage.objects.get(pk=article.pk)) == REVIEWED

    # Then changes a step of the prevention steps and publishes with a change note.
    page.goto(live_server.url + f"/admin/pages/{article.pk}/edit/")
    step = field_holding(page, "Watch your diet")
    step.scroll_into_view_if_needed()
    step.fill("Watch your diet and drink plenty of water")
    page.get_by_label("Change note").fill("Added advice on drinking water.")
    open_footer_menu(page)
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("has been published").first.wait_for()
    leave_editor(page)

    page.goto(live_server.url + article.url)
    byline = page.locator(".review-byline")
    assert "Clinical review pending" in byline.inner_text()
    assert "Medically reviewed by" not in byline.inner_text()
    page.locator(".page-history summary").click()
    assert "Added advice on drinking water." in page.locator(".page-history").inner_text()
    save_screenshot(page.locator("article header"), "review-seal-pending")

    # The editor sends it for clinical sign-off.
    page.goto(live_server.url + f"/admin/pages/{article.pk}/edit/")
    open_footer_menu(page)
    page.get_by_role("button", name="Submit to Clinical sign-off").click()
    page.get_by_text("has been submitted for moderation").first.wait_for()
    leave_editor(page)
    page.context.clear_cookies()

    # The reviewer sees what changed since her sign-off, compares, and approves with a note.
    start_signed_in(page, live_server.url, DEMO_REVIEWER_USERNAME)
    page.goto(live_server.url + f"/admin/pages/{article.pk}/edit/")
    changes = page.locator("[data-review-changes]")
    assert "Added advice on drinking water." in changes.inner_text()
    save_screenshot(changes, "review-seal-reviewer-panel")
    changes.get_by_role("link", name="Compare the signed text with this draft").click()
    page.wait_for_load_state("networkidle")
    changed = page.get_by_text("drink plenty of water").first
    changed.scroll_into_view_if_needed()
    save_screenshot(page, "review-seal-comparison")
    page.goto(live_server.url + f"/admin/pages/{article.pk}/edit/")
    open_footer_menu(page)
    page.get_by_role("button", name="Approve clinically and Publish", exact=True).click()
    dialog = page.locator(".modal-dialog").filter(has=page.locator("#id_approval-change_note"))
    dialog.get_by_role("textbox", name="Public change note").fill("Reviewed the advice on water.")
    save_screenshot(page, "review-seal-approve-dialog")
    dialog.get_by_role("button", name="Approve clinically", exact=True).click()
    page.get_by_text("has been updated").first.wait_for()
    leave_editor(page)
    article.refresh_from_db()
    assert not article.workflow_in_progress

    page.goto(live_server.url + article.url)
    today = timezone.localdate()
    text = " ".join(page.locator(".review-byline").inner_text().split())
    assert f"Medically reviewed by Dr Jane Doe, MD, FAAD, on {today.day} {today:%B %Y}" in text
    assert "Clinical review pending" not in text
    page.locator(".page-history summary").click()
    history = page.locator(".page-history").inner_text()
    assert "Reviewed the advice on water." in history and "Added advice on drinking water." in history
    save_screenshot(page.locator("article header"), "review-seal-restored")


def test_the_page_history_is_a_disclosure_on_screen_and_printed_open(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    entry = page.locator(".page-history li").first
    assert page.locator(".page-history summary").is_visible()
    assert not entry.is_visible()  # closed on screen

    page.emulate_media(media="print")

    assert entry.is_visible()
    assert "Clinically reviewed. Checked against current guidance." in entry.inner_text()
