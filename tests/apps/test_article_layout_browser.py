"""The article in the NHS condition-page order, in Chromium on a phone and a desktop, in the
minimal host (a plain base template): title first, intro, page tools, a contents list for
three sections or more, the "urgent help" card, and who reviewed it and when at the end."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser import axe_violations, describe_violations, save_screenshot
from tests.factories import TreatmentIndexPageFactory, TreatmentPageFactory
from treatment_pages.models import ArticleReference, Clinician
from treatment_pages.review.seal import sign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def heading(text, level="h2"):
    return ("heading", {"text": text, "level": level})


def paragraph(html):
    return ("paragraph", html)


@pytest.fixture
def long_article(host_home):
    reviewer = Clinician.objects.create(name="Jane Doe", credentials="MD", live=True)
    index = TreatmentIndexPageFactory(parent=host_home, slug="treatments")
    page = TreatmentPageFactory(
        parent=index,
        title="Rosacea",
        slug="rosacea",
        intro="Rosacea is a common skin condition that mainly affects the face.",
        medical_reviewer=reviewer,
        last_reviewed=datetime.date(2026, 3, 2),
        next_review_due=datetime.date(2027, 3, 1),
        body=[
            heading("Symptoms"),
            paragraph("<p>Redness that comes and goes [1].</p>"),
            (
                "urgent_help",
                {
                    "title": "Call us or go to urgent care if",
                    "text": "<ul><li>your eye is painful or red</li><li>your sight changes</li></ul>",
                    "phone": "911",
                    "link": "https://example.org/urgent-care",
                    "link_text": "Find urgent care near you",
                },
            ),
            heading("Causes"),
            paragraph("<p>No one knows the cause.</p>"),
            heading("In detail", level="h3"),
            paragraph("<p>Triggers differ from person to person.</p>"),
            heading("Treatment"),
            paragraph("<p>Creams and gels can help.</p>"),
        ],
    )
    ArticleReference.objects.create(page=page, title="Rosacea guideline", url="https://example.org/guide")
    page.save_revision().publish()
    # Readers see a review only from a clinician's sign-off (the review seal), not a typed date.
    sign(page, reviewer=reviewer, reviewed_on=page.last_reviewed)
    return page


def element_order(page, selectors):
    """The vertical position of the first element matching each selector."""
    return [page.locator(selector).first.bounding_box()["y"] for selector in selectors]


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1200, "height": 900}], ids=["phone", "desktop"])
def test_the_article_reads_title_intro_tools_contents_body_then_review_dates(
    live_server, browser_page, long_article, viewport
):
    page = browser_page
    page.set_viewport_size(viewport)
    page.goto(live_server.url + long_article.url)

    article = page.locator("article")
    # The title is the article's first element; the byline is no longer above the intro.
    assert article.evaluate("a => a.querySelector('*:not(header)').tagName") == "H1"
    tops = element_order(
        page,
        [
            "h1",
            ".article__intro",
            ".page-tools",
            "nav.contents",
            ".article__body",
            ".references",
            ".review-byline",
        ],
    )
    assert tops == sorted(tops), tops

    # Three sections (h2), so a contents list; the sub-section (h3) is not an entry.
    contents = page.get_by_role("navigation", name="Contents")
    links = contents.get_by_role("link")
    expect(links).to_have_text(["Symptoms", "Causes", "Treatment"])
    links.nth(1).click()
    expect(page).to_have_url(live_server.url + long_article.url + "#causes")
    assert page.locator("#causes").evaluate("h => h.textContent") == "Causes"
    expect(page.locator("#causes")).to_be_in_viewport()

    # The urgent help card: a heading saying what it is, and numbers a phone can call.
    card = page.locator(".urgent-help")
    expect(card.get_by_role("heading", name="Urgent advice: Call us or go to urgent care if")).to_be_visible()
    expect(card.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(card.get_by_role("link", name="Find urgent care near you")).to_be_visible()

    footer = page.locator(".article__footer")
    expect(footer.locator(".review-byline")).to_contain_text("Medically reviewed by")
    expect(footer.locator(".review-byline")).to_contain_text("Next review due")

    page.evaluate("window.scrollTo(0, 0)")
    violations = axe_violations(page, impacts=ALL_IMPACTS, tags=WCAG_22_AA)
    assert not violations, describe_violations(violations)
    if viewport == PHONE:
        save_screenshot(page, "article-layout-phone", full_page=True)
        # On a phone the title shows on the first screen.
        assert page.locator("h1").bounding_box()["y"] < 300


def test_an_article_with_fewer_than_three_sections_has_no_contents_list(live_server, browser_page, host_home):
    index = TreatmentIndexPageFactory(parent=host_home, slug="treatments")
    short = TreatmentPageFactory(
        parent=index, slug="short", body=[heading("What it is"), paragraph("<p>Short.</p>"), heading("Cost")]
    )
    short.save_revision().publish()
    page = browser_page
    page.goto(live_server.url + short.url)
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("navigation", name="Contents")).to_have_count(0)
