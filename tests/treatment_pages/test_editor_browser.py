"""Editors in the real admin (headless Chromium): preview, the steps block, and axe on the editor."""

import pytest
from playwright.sync_api import expect

from cms_site.management.commands.load_demo import DEMO_ADMIN_USERNAME
from tests.browser import AXE_SCRIPT, describe_violations, leave_editor, save_screenshot, start_signed_in
from treatment_pages.models import TreatmentPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Stock Wagtail markup the product does not render (reported upstream's, listed in the README):
STOCK_WAGTAIL_EXCLUDES = [
    # Draftail's rich text editors name themselves by a placeholder only (aria-input-field-name).
    [".Draftail-Editor"],
    # The 24 px icon buttons in every block header (target-size: Move up/down, Duplicate, Delete),
    # and the block's collapse toggle beside them.
    [".w-panel__controls"],
    [".w-panel__toggle"],
]


def log_in(page, base_url):
    start_signed_in(page, base_url, DEMO_ADMIN_USERNAME)


def axe_wcag22(page, exclude=()):
    page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate(
        """async ([tags, exclude]) => await axe.run(
            {include: [document], exclude: exclude},
            {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        [WCAG_22_AA, list(exclude)],
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_preview_panel_shows_the_article_inside_the_admin(live_server, browser_page, mesotherapy):
    page = browser_page
    log_in(page, live_server.url)
    page.goto(live_server.url + f"/admin/pages/{mesotherapy.pk}/edit/")
    page.wait_for_load_state("networkidle")

    page.get_by_role("button", name="Toggle preview").click()
    # Wagtail loads the preview into a second iframe and swaps it in when it has loaded;
    # a refused frame would stay empty (same origin, so its document is readable).
    page.wait_for_function(
        "() => document.querySelector('#w-preview-iframe')?.contentDocument?.querySelector('h1')"
    )
    shown = page.evaluate(
        """() => {
            const doc = document.querySelector('#w-preview-iframe').contentDocument;
            return {
                title: doc.querySelector('h1').textContent.trim(),
                steps: [...doc.querySelectorAll('ol.steps > li .steps__text')].map((e) => e.textContent.trim()),
            };
        }"""
    )
    assert shown["title"] == "Mesotherapy"
    assert len(shown["steps"]) == 5
    assert shown["steps"][0] == "Watch your diet"
    save_screenshot(page, "editor-preview-panel")
    leave_editor(page)


@pytest.mark.slow
def test_editor_adds_a_steps_block_whose_steps_are_numbered_and_named(
    live_server, browser_page, mesotherapy, editor_without_autosave
):
    page = browser_page
    log_in(page, live_server.url)
    page.goto(live_server.url + f"/admin/pages/{mesotherapy.pk}/edit/")
    page.wait_for_load_state("networkidle")

    # Add a steps block at the end of the body through the block picker.
    steps_blocks = page.locator("[data-streamfield-child]").filter(has=page.locator(".treatment-steps"))
    # The article already has a steps block: wait for the new one, or `.last` may still be the old one.
    existing = steps_blocks.count()
    page.locator("button[title='Insert a block']").last.click()
    page.locator("[role=option]").filter(has_text="Numbered prevention steps").click()
    expect(steps_blocks).to_have_count(existing + 1)
    block = steps_blocks.last
    block.get_by_label("Title").fill("After your session")
    steps_list = block.locator(".treatment-steps")
    step_texts = ["Rest for a day", "Drink water", "Avoid the sun", "No make-up", "Come back in a week"]
    for index, text in enumerate(step_texts):
        children = steps_list.locator("[data-streamfield-list-container] > [data-streamfield-child]")
        if children.count() <= index:
            steps_list.locator("[data-streamfield-list-container] > button[title='Add']").last.click()
        step = children.nth(index)
        step.get_by_label("Text").fill(text)
        step.get_by_label("Sub-points, one per line").fill(
            f"First point {index + 1}\nSecond point {index + 1}"
        )

    headings = steps_list.locator("[data-streamfield-child] [data-panel-heading]")
    for index, text in enumerate(step_texts):
        assert " ".join(headings.nth(index).inner_text().split()) == f"Step {index + 1} · {text}"
        # Shown while the step is open, not only to screen readers.
        assert headings.nth(index).locator("[data-panel-heading-text]").bounding_box()["width"] > 50
    block.scroll_into_view_if_needed()
    save_screenshot(page, "editor-steps-block")

    violations = axe_wcag22(page, exclude=STOCK_WAGTAIL_EXCLUDES)
    assert violations == [], describe_violations(violations)

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    errors = page.locator(".error-message, .help-critical, [role=alert]").all_inner_texts()
    draft = TreatmentPage.objects.get(pk=mesotherapy.pk).get_latest_revision_as_object()
    added = [b for b in draft.body if b.block_type == "prevention_steps"][-1].value
    assert added["title"] == "After your session", errors
    assert [step["text"] for step in added["steps"]] == step_texts
    assert added["steps"][4]["sub_points"] == ["First point 5", "Second point 5"]
    leave_editor(page)
