"""A reader rating an article in headless Chromium: mouse, keyboard, no JavaScript, axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser import TIMEOUT_MS, axe_violations, describe_violations, save_screenshot
from treatment_pages.models import Rating, RatingSummary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def generous_vote_limit(settings):
    # Every browser vote comes from 127.0.0.1: the per-network limits are not what these tests test
    # (test_ballot_stuffing.py does), and their counters outlive a test in the cache.
    settings.RATINGS_VOTE_RATE = "10000/m"
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 10000


def screenshot(page, name):
    save_screenshot(page.locator("#rating"), f"rating-{name}")


def stored(page_obj):
    summary = RatingSummary.objects.filter(page_id=page_obj.pk).first()
    return (summary.count, summary.total) if summary else (0, 0)


def test_clicking_the_fourth_star_rates_without_a_reload(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    widget = page.locator("#rating")
    expect(widget.locator("[data-rating-text]")).to_have_text("Not rated yet (0 out of 5)")
    expect(widget.get_by_text("Be the first to rate this page")).to_be_visible()
    # With JavaScript a star click is the vote: no button that would vote again.
    expect(widget.get_by_role("button", name="Submit rating")).to_be_hidden()
    expect(widget.get_by_text("Select a star to rate.")).to_be_visible()
    screenshot(page, "empty")
    # Survives only as long as this document does: a reload or navigation would drop it.
    page.evaluate("window.__sameDocument = true")

    widget.locator("label[for$='-4']").click()

    expect(widget.locator("[data-rating-text]")).to_have_text("4.0 out of 5, 1 rating")
    expect(widget.get_by_role("status")).to_have_text("Thank you: you rated this page 4 stars.")
    # One message reports the vote: not the status and a "You rated..." line saying it again.
    expect(widget.locator("[data-rating-own]")).to_be_hidden()
    expect(widget.get_by_role("button", name="Submit rating")).to_be_hidden()
    expect(widget.get_by_text("Be the first to rate this page")).to_be_hidden()
    expect(widget.get_by_label("4 stars")).to_be_checked()
    assert page.evaluate("window.__sameDocument") is True
    assert page.url == live_server.url + mesotherapy.url
    assert stored(mesotherapy) == (1, 4)
    screenshot(page, "rated")

    # Reloading shows the reader's own score, and rating again changes it.
    page.reload()
    expect(widget.get_by_label("4 stars")).to_be_checked()
    widget.locator("label[for$='-2']").click()
    expect(widget.locator("[data-rating-text]")).to_have_text("2.0 out of 5, 1 rating")
    assert Rating.objects.get().score == 2


def test_a_keyboard_only_reader_can_rate(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    widget = page.locator("#rating")

    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "score":
            break
    else:
        pytest.fail("Tab never reached the rating's radio group")
    focused_label = widget.locator("label[for$='-1']")
    outline = focused_label.evaluate("label => getComputedStyle(label).outlineStyle")
    assert outline != "none", "the focused star has no visible focus indicator"
    screenshot(page, "focus")

    votes = []
    page.on("request", lambda request: votes.append(request) if request.method == "POST" else None)
    # Arrow keys move the choice without voting ...
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(widget.get_by_label("3 stars")).to_be_checked()
    # ... and Enter sends it: the one vote sent, after any the arrows would have sent first.
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.keyboard.press("Enter")
    assert len(votes) == 1
    expect(widget.locator("[data-rating-text]")).to_have_text("3.0 out of 5, 1 rating")
    expect(widget.get_by_role("status")).to_contain_text("you rated this page 3 stars")

    # Changing it with the arrow keys and Enter replaces the vote.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(widget.locator("[data-rating-text]")).to_have_text("4.0 out of 5, 1 rating")
    assert stored(mesotherapy) == (1, 4)
    # Tab leaves the stars for the next thing on the page: there is no hidden button to land on.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") != "Submit rating"


def test_rating_works_without_javascript(live_server, _chromium, mesotherapy):
    context = _chromium.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server.url + mesotherapy.url)
        widget = page.locator("#rating")
        screenshot(page, "phone-empty")

        # Without JavaScript choosing a star votes nothing; the button sends it.
        widget.locator("label[for$='-5']").click()
        assert stored(mesotherapy) == (0, 0)
        expect(widget.get_by_text("Select a star to rate.")).to_be_hidden()
        widget.get_by_role("button", name="Submit rating").click()

        page.wait_for_url(live_server.url + mesotherapy.url + "#rating")
        # The page is the one every reader gets (shared caches hold it): the new summary
        # shows; the reader's own score needs the script, which fetches it after load.
        expect(widget.locator("[data-rating-text]")).to_have_text("5.0 out of 5, 1 rating")
        screenshot(page, "phone-rated")
    finally:
        context.close()


def test_widget_has_no_serious_accessibility_violations(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)

    before = axe_violations(page, context="#rating")
    page.locator("#rating label[for$='-5']").click()
    expect(page.locator("#rating [data-rating-text]")).to_have_text("5.0 out of 5, 1 rating")
    after = axe_violations(page, context="#rating")

    assert before == [], describe_violations(before)
    assert after == [], describe_violations(after)


def test_one_star_click_is_one_vote(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    widget = page.locator("#rating")
    votes = []
    page.on("request", lambda request: votes.append(request) if request.method == "POST" else None)

    # A second vote from the same click would be sent with the first, before its answer arrives.
    with page.expect_response(lambda response: response.request.method == "POST"):
        widget.locator("label[for$='-3']").click()
    expect(widget.get_by_role("status")).to_have_text("Thank you: you rated this page 3 stars.")

    assert len(votes) == 1
    assert stored(mesotherapy) == (1, 3)
    assert widget.locator("button:visible").count() == 0


def test_unrated_articles_on_the_index_say_so_in_words(
    live_server, browser_page, treatment_index, mesotherapy
):
    from treatment_pages.ratings.votes import cast_vote

    cast_vote(mesotherapy, "a-reader", 5)
    page = browser_page
    page.goto(live_server.url + treatment_index.url)

    rated = page.locator(".card", has_text="Mesotherapy")
    unrated = page.locator(".card", has_text="Chemical peel")
    expect(rated.locator(".rating-summary__star")).to_have_count(5)
    expect(unrated.locator(".rating-summary")).to_have_text("Not rated yet")
    expect(unrated.locator(".rating-summary__star")).to_have_count(0)
    save_screenshot(page.locator(".card-list"), "rating-index")
