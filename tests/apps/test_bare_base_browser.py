"""In Chromium, the apps' pages work in a host whose base template has only a content block
(tests/apps/templates/bare_base.html: no extra_head, no extra_js, no stylesheet of its own)."""

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot
from treatment_pages.models import RatingSummary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def bare_base(settings):
    settings.TREATMENT_PAGES_BASE_TEMPLATE = "bare_base.html"
    settings.LEAD_FORMS_BASE_TEMPLATE = "bare_base.html"
    # Every browser vote comes from 127.0.0.1; the per-network limits are tested elsewhere.
    settings.RATINGS_VOTE_RATE = "10000/m"
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 10000


def star_sizes(page):
    """Width and height of every star icon on the page, in CSS pixels."""
    return page.evaluate(
        "[...document.querySelectorAll('svg.star-icon')].map(s => {"
        " const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
    )


def page_height(page):
    return page.evaluate("document.documentElement.scrollHeight")


def test_a_star_click_votes_and_stars_stay_small_in_a_bare_base_template(live_server, browser_page, article):
    page = browser_page
    page.goto(live_server.url + article.url)
    widget = page.locator("#rating")
    expect(widget.locator("[data-rating-text]")).to_have_text("Not rated yet (0 out of 5)")
    # rating.js ran (it hides the button a star click makes redundant).
    expect(widget.get_by_role("button", name="Submit rating")).to_be_hidden()

    sizes = star_sizes(page)
    assert len(sizes) == 10
    assert all(0 < width < 64 and 0 < height < 64 for width, height in sizes), sizes
    # Without the app's stylesheet each star filled the column (about 1,100 px square).
    assert page_height(page) < 3000
    page.evaluate("window.__sameDocument = true")

    widget.locator("label[for$='-4']").click()

    expect(widget.locator("[data-rating-text]")).to_have_text("4.0 out of 5, 1 rating")
    expect(widget.get_by_role("status")).to_have_text("Thank you: you rated this page 4 stars.")
    assert page.evaluate("window.__sameDocument") is True
    summary = RatingSummary.objects.get(page_id=article.pk)
    assert (summary.count, summary.total) == (1, 4)


def test_the_honeypot_is_not_visible_on_the_form_page_or_in_the_article(
    live_server, browser_page, article, form_page
):
    page = browser_page
    for url in (form_page.url, article.url):
        page.goto(live_server.url + url)
        expect(page.get_by_label("Full name")).to_be_visible()
        expect(page.get_by_text("Leave this field empty")).to_be_hidden()
        expect(page.locator('input[name="contact-website"]')).to_be_hidden()


def test_the_honeypot_stays_hidden_with_no_stylesheet_at_all(live_server, browser_page, form_page, settings):
    settings.LEAD_FORMS_FRONTEND_ASSETS = False
    page = browser_page
    page.goto(live_server.url + form_page.url)

    assert page.locator('link[rel="stylesheet"]').count() == 0
    expect(page.get_by_label("Full name")).to_be_visible()
    expect(page.get_by_text("Leave this field empty")).to_be_hidden()


def test_stars_stay_small_with_no_stylesheet_at_all(live_server, browser_page, article, settings):
    settings.TREATMENT_PAGES_FRONTEND_ASSETS = False
    page = browser_page
    page.goto(live_server.url + article.url)

    assert page.locator('link[rel="stylesheet"]').count() == 0
    assert all(width < 64 and height < 64 for width, height in star_sizes(page))
    assert page_height(page) < 4000


def test_text_size_changes_and_is_remembered_in_a_bare_base_template(live_server, browser_page, article):
    page = browser_page
    page.goto(live_server.url + article.url)
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"
    title_size = page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize")

    page.get_by_role("button", name="Large text").click()

    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize") != title_size
    expect(page.get_by_role("button", name="Large text")).to_have_attribute("aria-pressed", "true")

    page.reload()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    expect(page.get_by_role("button", name="Large text")).to_have_attribute("aria-pressed", "true")


def test_copy_link_puts_the_article_url_on_the_clipboard_in_a_bare_base_template(
    live_server, browser_page, article
):
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + article.url)

    page.get_by_role("button", name="Copy link").click()

    expect(page.get_by_role("button", name="Link copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == article.full_url


def test_screenshots_of_the_article_in_a_bare_base_template(live_server, browser_page, article):
    """For people to look at (SCREENSHOT_DIR): a phone and a desktop width."""
    page = browser_page
    for name, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1280, "height": 900}),
    ):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + article.url)
        expect(page.locator("#rating [data-rating-text]")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        save_screenshot(page, f"bare-base-article-{name}", full_page=True)


def test_screenshots_of_the_form_page_and_index_in_a_bare_base_template(
    live_server, browser_page, article, form_page
):
    """For people to look at (SCREENSHOT_DIR): the form page at phone width, the index on a desktop."""
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + form_page.url)
    expect(page.get_by_label("Full name")).to_be_visible()
    save_screenshot(page, "bare-base-form-phone", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + article.get_parent().url)
    expect(page.get_by_role("link", name="Mesotherapy")).to_be_visible()
    save_screenshot(page, "bare-base-index-desktop", full_page=True)
