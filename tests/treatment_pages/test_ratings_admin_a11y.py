"""The ratings screens under axe (WCAG 2.2 AA), in headless Chromium."""

import pytest
from django.urls import reverse

from tests.browser import describe_violations
from tests.treatment_pages.test_editor_browser import axe_wcag22, log_in
from tests.treatment_pages.test_ratings_admin import LISTING, REPORT, rated  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ratings_list_and_report_have_no_serious_violations(live_server, browser_page, rated):  # noqa: F811
    page = browser_page
    log_in(page, live_server.url)
    found = {}
    for name, url in (("list", reverse(LISTING)), ("report", reverse(REPORT))):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        found[name] = axe_wcag22(page)
    assert found == {"list": [], "report": []}, describe_violations(found["list"] + found["report"])
