"""The rating's keyboard hint ("choose with the arrow keys and press Enter") in Chromium: shown to
mouse users and to keyboard users once a star has focus, not to readers who tap a touch screen."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HINT = "[data-rating-hint]"


@pytest.fixture
def touch_page(_chromium):
    context = _chromium.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_touch_reader_does_not_see_the_keyboard_hint_until_a_star_has_keyboard_focus(
    live_server, touch_page, article
):
    page = touch_page
    page.goto(live_server.url + article.url)
    hint = page.locator(HINT)
    # The script ran (it hides the submit button), and the hint still describes the stars.
    expect(page.locator("#rating").get_by_role("button", name="Submit rating")).to_be_hidden()
    expect(hint).to_be_hidden()
    assert page.locator("#rating fieldset").get_attribute("aria-describedby") == hint.get_attribute("id")

    page.locator("#rating input[type=radio]").first.focus()
    page.keyboard.press("ArrowRight")

    expect(hint).to_be_visible()


def test_a_mouse_user_sees_the_keyboard_hint(live_server, browser_page, article):
    browser_page.goto(live_server.url + article.url)

    expect(browser_page.locator(HINT)).to_be_visible()
