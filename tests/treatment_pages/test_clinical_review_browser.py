"""Clinical review in the browser: a reviewer signs an article off in the real admin; the
article with its byline and references is accessible and prints them."""

from pathlib import Path

import pytest
from django.utils import timezone

from cms_site.management.commands.load_demo import DEMO_ADMIN_USERNAME, DEMO_REVIEWER_USERNAME
from tests.browser import (
    AXE_SCRIPT,
    SCREENSHOT_DIR,
    describe_violations,
    leave_editor,
    save_screenshot,
    start_signed_in,
)
from treatment_pages.models import TreatmentPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.mark.slow
def test_reviewer_approves_in_the_admin_and_the_byline_updates(live_server, browser_page, demo_site):
    page = browser_page
    article = TreatmentPage.objects.get(slug="laser-hair-removal")
    # An editor submits the article to the treatments section's "Clinical sign-off" workflow.
    start_signed_in(page, live_server.url, DEMO_ADMIN_USERNAME)
    page.goto(live_server.url + f"/admin/pages/{article.pk}/edit/")
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Submit to Clinical sign-off").click()
    page.get_by_text("has been submitted for moderation").first.wait_for()
    leave_editor(page)
    article.refresh_from_db()
    assert article.workflow_in_progress
    page.context.clear_cookies()

    # Dr Jane Doe, a clinical reviewer, approves it from the editor.
    start_signed_in(page, live_server.url, DEMO_REVIEWER_USERNAME)
    page.goto(live_server.url + f"/admin/pages/{article.pk}/edit/")
    save_screenshot(page, "clinical-review-editor")
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']").first.click()
    save_screenshot(page, "clinical-review-menu")
    # Wagtail names the last task's approval after what follows it: publishing.
    page.get_by_role("button", name="Approve clinically and Publish", exact=True).click()
    # The approval asks for the public change note (the article's page history).
    dialog = page.locator(".modal-dialog").filter(has=page.locator("#id_approval-change_note"))
    dialog.get_by_role("textbox", name="Public change note").fill("First clinical review.")
    dialog.get_by_role("button", name="Approve clinically", exact=True).click()
    page.wait_for_load_state("networkidle")
    save_screenshot(page, "clinical-review-approved")
    # The editor saves the reviewer's form, then approves: Wagtail reports the save.
    page.get_by_text("has been updated").first.wait_for()
    leave_editor(page)
    article.refresh_from_db()
    assert not article.workflow_in_progress and not article.has_unpublished_changes

    page.goto(live_server.url + article.url)
    byline = page.locator(".review-byline")
    today = timezone.localdate()
    text = " ".join(byline.inner_text().split())
    assert f"Medically reviewed by Dr Jane Doe, MD, FAAD, on {today.day} {today:%B %Y}" in text
    assert "Next review due" in text
    assert (
        byline.get_by_role("link", name="Dr Jane Doe, MD, FAAD")
        .get_attribute("href")
        .endswith("/team/jane-doe/")
    )
    save_screenshot(page, "clinical-review-byline")


def test_article_with_byline_and_references_passes_axe_wcag22_aa(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    assert page.locator(".review-byline").is_visible()
    assert page.locator("section.references li").count() == 3

    page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    violations = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]

    assert violations == [], describe_violations(violations)


def test_byline_references_and_faq_are_printed(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    page.emulate_media(media="print")

    assert page.locator(".review-byline").is_visible()
    assert page.locator("section.references").is_visible()
    assert page.locator(".faq").is_visible()
    link_after = page.evaluate(
        "getComputedStyle(document.querySelector('.references__link'), '::after').content"
    )
    assert "doi.org" in link_after
    if SCREENSHOT_DIR:
        page.pdf(path=str(Path(SCREENSHOT_DIR) / "clinical-review-print.pdf"))


def test_publishing_above_the_target_grade_asks_to_confirm(live_server, browser_page, mesotherapy, settings):
    page = browser_page
    mesotherapy.intro = (
        "Mesotherapy administers individualised pharmacological preparations intradermally, "
        "potentially ameliorating localised adiposity and cutaneous laxity."
    )
    mesotherapy.body = [{"type": "paragraph", "value": "<p>Practitioners individualise formulations.</p>"}]
    mesotherapy.save_revision()
    start_signed_in(page, live_server.url, DEMO_ADMIN_USERNAME)
    page.goto(live_server.url + f"/admin/pages/{mesotherapy.pk}/edit/")
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.get_by_label("Change note").fill("Rewrote the introduction.")
    page.once("dialog", dismiss)
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Publish", exact=True).click()
    assert dialogs and "above the clinic's target of grade 8.0" in dialogs[0]
    mesotherapy.refresh_from_db()
    assert mesotherapy.has_unpublished_changes  # cancelled: nothing published

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.get_by_text("has been published").first.wait_for()
    mesotherapy.refresh_from_db()
    assert not mesotherapy.has_unpublished_changes  # confirmed: published, never blocked
    leave_editor(page)
