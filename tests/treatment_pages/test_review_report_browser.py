"""The clinical review report in Chromium: dates read as dates, every queued article has its
reason, and the report's markup has no serious or critical accessibility finding."""

import re

import pytest
from django.urls import reverse

from cms_site.management.commands.load_demo import DEMO_ADMIN_USERNAME
from tests.browser import axe_violations, describe_violations, save_screenshot, start_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# "6 Oct 2027": a calendar date, never "Just now" or "14 hours ago".
DATE = re.compile(r"^\d{1,2} [A-Z][a-z]{2}\.? \d{4}$")


def test_the_review_report_shows_dates_and_reasons_and_passes_axe(live_server, browser_page, demo_site):
    page = browser_page
    start_signed_in(page, live_server.url, DEMO_ADMIN_USERNAME)

    page.goto(live_server.url + reverse("treatment_pages_review_report"))

    table = page.locator("main table").first
    table.wait_for()
    text = table.inner_text()
    assert "Chemical peel" in text and "Laser hair removal" in text
    assert "Just now" not in text and " ago" not in text
    date_cells = [
        cell.strip() for cell in page.locator("main table td").all_inner_texts() if DATE.match(cell.strip())
    ]
    assert date_cells, text
    save_screenshot(page, "review-report", full_page=True)

    violations = axe_violations(page, context="main")
    assert not violations, describe_violations(violations)
