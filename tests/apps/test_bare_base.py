"""The apps' pages carry what they need in a host whose base template has only a content block
(tests/apps/templates/bare_base.html: no extra_head, no extra_js, no stylesheet)."""

import json

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db

TREATMENT_CSS = "/static/treatment_pages/css/treatment-pages.css"
PAGE_TOOLS_JS = "/static/treatment_pages/js/page-tools.js"
RATING_JS = "/static/treatment_pages/js/rating.js"
FEEDBACK_JS = "/static/treatment_pages/js/feedback.js"
LEAD_FORMS_CSS = "/static/lead_forms/css/lead-forms.css"


@pytest.fixture
def bare_base(settings):
    settings.TREATMENT_PAGES_BASE_TEMPLATE = "bare_base.html"
    settings.LEAD_FORMS_BASE_TEMPLATE = "bare_base.html"


def get_soup(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "Bare host footer" in response.content.decode()  # the bare base, not tests/apps' base.html
    return BeautifulSoup(response.content, "html.parser")


def stylesheets(soup):
    return [link["href"] for link in soup.find_all("link", rel="stylesheet")]


def scripts(soup):
    return [script["src"] for script in soup.find_all("script", src=True)]


def json_ld(soup):
    return [json.loads(script.string) for script in soup.find_all("script", type="application/ld+json")]


def test_article_structured_data_reaches_a_page_whose_base_has_no_extra_head(client, bare_base, article):
    soup = get_soup(client, article.url)

    documents = json_ld(soup)
    assert [doc["headline"] for doc in documents if "headline" in doc] == ["Mesotherapy"]
    # Once, not once per block it might have been rendered in.
    assert len(soup.find_all("script", type="application/ld+json")) == len(documents) <= 2


def test_article_links_its_own_stylesheet_and_deferred_scripts_without_extra_js(client, bare_base, article):
    soup = get_soup(client, article.url)

    assert stylesheets(soup) == [TREATMENT_CSS]
    assert scripts(soup) == [PAGE_TOOLS_JS, RATING_JS, FEEDBACK_JS]
    assert all(script.has_attr("defer") for script in soup.find_all("script", src=True))
    # Nothing inline a strict Content-Security-Policy would block.
    assert not soup.find_all(style=True)
    assert all(script.get("type") == "application/ld+json" for script in soup.find_all("script", src=False))


def test_index_links_the_stylesheet_its_rating_stars_need(client, bare_base, article):
    soup = get_soup(client, article.get_parent().url)

    assert stylesheets(soup) == [TREATMENT_CSS]
    assert scripts(soup) == []


def test_star_icons_carry_their_own_size_for_pages_without_a_stylesheet(client, bare_base, article):
    soup = get_soup(client, article.url)

    stars = soup.select("svg.star-icon")
    assert len(stars) == 10  # five in the summary, five to vote with
    assert {(star["width"], star["height"]) for star in stars} == {("1em", "1em")}


def test_switching_the_assets_off_leaves_the_host_to_style_and_script_the_article(
    client, bare_base, article, settings
):
    settings.TREATMENT_PAGES_FRONTEND_ASSETS = False

    soup = get_soup(client, article.url)

    assert stylesheets(soup) == []
    assert scripts(soup) == []
    assert json_ld(soup)  # data, not an asset: it stays
    assert stylesheets(get_soup(client, article.get_parent().url)) == []


def test_article_and_index_breadcrumb_can_be_turned_off_for_a_host_with_its_own(
    client, bare_base, article, settings
):
    assert get_soup(client, article.url).find("nav", attrs={"aria-label": "Breadcrumb"})

    settings.TREATMENT_PAGES_BREADCRUMB = False

    for url in (article.url, article.get_parent().url):
        soup = get_soup(client, url)
        assert soup.find("nav", attrs={"aria-label": "Breadcrumb"}) is None
        assert soup.find("h1")


def test_form_page_honeypot_is_hidden_by_its_own_markup(client, bare_base, form_page):
    soup = get_soup(client, form_page.url)

    trap = soup.find("input", attrs={"name": "contact-website"})
    wrapper = trap.find_parent("div")
    assert wrapper.has_attr("hidden")
    assert wrapper["aria-hidden"] == "true"
    assert trap["tabindex"] == "-1"
    assert trap["autocomplete"] == "off"


def test_form_page_links_its_stylesheet_and_the_setting_removes_it(client, bare_base, form_page, settings):
    assert stylesheets(get_soup(client, form_page.url)) == [LEAD_FORMS_CSS]

    settings.LEAD_FORMS_FRONTEND_ASSETS = False

    assert stylesheets(get_soup(client, form_page.url)) == []


def test_form_page_error_summary_script_arrives_without_extra_js(client, bare_base, form_page):
    response = client.post(form_page.url, {"full_name": "", "email": ""})

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find(id="error-summary")
    assert scripts(soup) == ["/static/lead_forms/js/error-summary.js"]


def test_form_page_breadcrumb_can_be_turned_off(client, bare_base, form_page, settings):
    assert get_soup(client, form_page.url).find("nav", attrs={"aria-label": "Breadcrumb"})

    settings.LEAD_FORMS_BREADCRUMB = False

    soup = get_soup(client, form_page.url)
    assert soup.find("nav", attrs={"aria-label": "Breadcrumb"}) is None
    assert soup.find("h1").get_text() == form_page.title
