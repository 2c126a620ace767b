import pytest

from tests.browser import axe_violations, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_text_size_choice_persists_to_the_next_page(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    page.get_by_role("button", name="Large text").click()

    assert "text-size-large" in page.evaluate("document.documentElement.className")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Treatments").click()
    page.wait_for_url(live_server.url + "/treatments/")
    assert "text-size-large" in page.evaluate("document.documentElement.className")
    font_size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert font_size == "20px"


def test_article_has_no_serious_accessibility_violations(live_server, browser_page, mesotherapy):
    browser_page.goto(live_server.url + mesotherapy.url)

    violations = axe_violations(browser_page)

    assert violations == [], describe_violations(violations)
