"""The dashboard in Chromium: the Clinical review panel is a card aligned with its neighbours."""

import pytest

from cms_site.management.commands.load_demo import DEMO_ADMIN_USERNAME
from tests.browser import axe_violations, describe_violations, save_screenshot, start_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clinical_review_panel_is_a_card_like_its_neighbours(live_server, browser_page, demo_site):
    page = browser_page
    start_signed_in(page, live_server.url, DEMO_ADMIN_USERNAME)

    page.goto(live_server.url + "/admin/")

    review = page.locator("section.w-panel--dashboard", has=page.locator("#clinical-review-heading"))
    neighbours = page.locator("section.w-panel--dashboard").all()
    assert len(neighbours) >= 2
    boxes = [panel.bounding_box() for panel in neighbours]
    # Same left edge and width as every other dashboard card.
    assert {round(box["x"]) for box in boxes} == {round(review.bounding_box()["x"])}
    assert {round(box["width"]) for box in boxes} == {round(review.bounding_box()["width"])}
    rows = review.locator("[data-review-overdue] tr")
    # The demo's overdue article, with its reason in a column of its own.
    assert rows.first.locator("td").first.inner_text() == "Chemical peel"
    assert rows.first.locator("td").nth(1).inner_text().startswith("Review overdue since")
    save_screenshot(page, "dashboard", full_page=True)

    violations = axe_violations(page, context="section.w-panel--dashboard")
    assert not violations, describe_violations(violations)
