import pytest

from tests.browser import axe_violations, describe_violations, save_screenshot

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


def test_print_shows_the_article_and_clinic_contact_only(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    page.emulate_media(media="print")

    for hidden in (
        "header.site-header",
        "nav.site-nav",
        "nav.breadcrumb",
        ".page-tools",
        "form",
        ".skip-link",
        ".site-footer__links",
        ".next-steps__link",
    ):
        locator = page.locator(hidden)
        assert locator.count() > 0, hidden
        for index in range(locator.count()):
            assert not locator.nth(index).is_visible(), f"{hidden} is printed"
    assert page.get_by_role("heading", level=1, name="Mesotherapy").is_visible()
    assert page.locator("ol.steps").is_visible()
    contact = page.locator("footer .clinic-contact")
    assert contact.is_visible()
    assert "+1 (217) 555-0142" in contact.inner_text()

    page.emulate_media(media="screen")
    assert page.locator("nav.site-nav").is_visible()


def test_breadcrumb_links_lead_to_the_index_then_home(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    assert " ".join(breadcrumb.text_content().split()) == "Home » Treatments » Mesotherapy"

    breadcrumb.get_by_role("link", name="Treatments").click()
    page.wait_for_url(live_server.url + "/treatments/")
    assert page.get_by_role("heading", level=1).inner_text() == "Treatments"
    assert page.get_by_role("link", name="Mesotherapy").is_visible()

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Home").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome to Riverside Skin & Wellness Clinic"
    page.get_by_role("link", name="See all treatments").click()
    page.wait_for_url(live_server.url + "/treatments/")


def test_copy_link_puts_the_article_url_on_the_clipboard(live_server, browser_page, mesotherapy):
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + mesotherapy.url)

    page.get_by_role("button", name="Copy link").click()

    page.get_by_role("status").filter(has_text="Link copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == mesotherapy.full_url


def test_email_link_is_a_mailto_with_the_title_and_url(live_server, browser_page, mesotherapy):
    from urllib.parse import parse_qs, urlsplit

    page = browser_page
    page.goto(live_server.url + mesotherapy.url)

    href = page.get_by_role("link", name="Email link").get_attribute("href")

    parts = urlsplit(href)
    assert parts.scheme == "mailto"
    assert parts.path == ""
    query = parse_qs(parts.query)
    assert query["subject"] == ["Mesotherapy"]
    assert query["body"] == [mesotherapy.full_url]


@pytest.mark.parametrize("path", ["/", "/treatments/", "/treatments/mesotherapy/", "/search/?q=skin"])
def test_pages_have_no_serious_accessibility_violations(live_server, browser_page, demo_site, path):
    browser_page.goto(live_server.url + path)

    violations = axe_violations(browser_page)

    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("path", ["/", "/treatments/", "/treatments/mesotherapy/"])
def test_phone_width_has_no_horizontal_scrolling(live_server, browser_page, demo_site, path):
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + path)

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")

    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    # Large text is for people who need it most; it must not break the layout either.
    page.evaluate("localStorage.setItem('clinic:text-size', 'large')")
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone with large text"


PHONE = {"width": 390, "height": 844}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def test_on_a_phone_the_header_is_compact_and_the_title_comes_first(live_server, browser_page, mesotherapy):
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + mesotherapy.url)

    header = page.locator("header.site-header").bounding_box()
    # It took 26% of the screen (brand, four links and the search form on their own rows).
    save_screenshot(page, "article-phone")
    assert header["height"] <= 0.15 * PHONE["height"], header
    title = page.get_by_role("heading", level=1, name="Mesotherapy").bounding_box()
    assert title["y"] < 0.3 * PHONE["height"], title
    # The byline sits at the end, with the review dates, after the body and references.
    assert (
        page.locator(".review-byline").bounding_box()["y"] > page.locator(".references").bounding_box()["y"]
    )
    # The search and every link stay within reach.
    assert page.get_by_role("search").is_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Treatments").is_visible()
    save_screenshot(page, "article-phone")
    save_screenshot(page, "article-phone-full", full_page=True)

    violations = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"), tags=WCAG_22_AA)
    assert violations == [], describe_violations(violations)


def test_print_gives_each_reference_address_once(live_server, browser_page, mesotherapy):
    page = browser_page
    page.goto(live_server.url + mesotherapy.url)
    page.emulate_media(media="print")

    links = page.locator(".references__link")
    printed = [
        (
            link.inner_text(),
            link.evaluate("a => getComputedStyle(a, '::after').content"),
            link.get_attribute("href"),
        )
        for link in links.all()
    ]

    doi_text, doi_after, doi_href = printed[0]
    assert doi_text.startswith("doi:") and doi_after == f'" ({doi_href})"'
    # A link whose text is its URL prints it once: no address added after it.
    for text, after, href in printed[1:]:
        assert text == href and after in ("none", "normal"), (text, after)
