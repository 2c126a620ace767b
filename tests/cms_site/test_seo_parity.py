"""The HTML page and ``/api/v3/seo/{id}/`` say the same to search engines: one function feeds both.

For every page type (home, treatments index, article, appointment form) the JSON-LD blocks
embedded in the page equal the endpoint's ``json_ld``, and its canonical URL and ``hreflang``
alternates equal the page head's. With ``TREATMENT_PAGES_FRONTEND_BASE_URL`` set, canonical
URLs, JSON-LD and the sitemap point at the front end.
"""

import json
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own sitemap

import pytest
from bs4 import BeautifulSoup
from django.conf.urls.i18n import i18n_patterns
from django.core.management import call_command
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.models import Locale, Page

from cms_site import urls as site_urls

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
FRONTEND = "https://www.riverside-clinic.example"


def html_head_and_json_ld(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    json_ld = [json.loads(script.string) for script in soup.find_all("script", type="application/ld+json")]
    alternates = [
        {"hreflang": link["hreflang"], "href": link["href"]}
        for link in soup.find_all("link", rel="alternate", hreflang=True)
    ]
    return soup.find("link", rel="canonical")["href"], alternates, json_ld


def seo_answer(client, page):
    response = client.get(f"/api/v3/seo/{page.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def every_page_type(home_page):
    """One live page of each type the reference site has."""
    pages = {}
    for page in home_page.get_descendants(inclusive=True).live().specific():
        pages.setdefault(type(page).__name__, page)
    assert set(pages) >= {"HomePage", "TreatmentIndexPage", "TreatmentPage", "AppointmentFormPage"}
    return pages


@pytest.mark.parametrize("frontend", ["", FRONTEND], ids=["served-here", "headless-front-end"])
def test_html_and_seo_endpoint_carry_identical_json_ld_for_every_page_type(
    client, home_page, settings, frontend
):
    settings.TREATMENT_PAGES_FRONTEND_BASE_URL = frontend

    for name, page in every_page_type(home_page).items():
        canonical, alternates, html_json_ld = html_head_and_json_ld(client, page)
        answer = seo_answer(client, page)

        assert answer["json_ld"] == html_json_ld, name
        assert answer["canonical_url"] == canonical, name
        assert answer["alternates"] == alternates == [], name
        if frontend:
            assert canonical == FRONTEND + page.url, name


def test_each_page_type_embeds_the_structured_data_it_promises(client, home_page):
    pages = every_page_type(home_page)
    kinds = {
        name: [block["@type"] for block in seo_answer(client, page)["json_ld"]]
        for name, page in pages.items()
    }

    assert kinds["HomePage"] == ["MedicalClinic"]
    assert kinds["TreatmentIndexPage"] == ["CollectionPage"]
    # The demo's Mesotherapy article has an FAQ block; not every article has.
    mesotherapy = pages["TreatmentIndexPage"].get_children().get(slug="mesotherapy").specific
    assert [block["@type"] for block in seo_answer(client, mesotherapy)["json_ld"]] == [
        "MedicalWebPage",
        "FAQPage",
    ]
    assert kinds["AppointmentFormPage"] == []
    listing = seo_answer(client, pages["TreatmentIndexPage"])["json_ld"][0]["mainEntity"]["itemListElement"]
    assert [item["position"] for item in listing] == list(range(1, len(listing) + 1))
    assert any(item["url"] == mesotherapy.full_url for item in listing)


def test_front_end_base_url_moves_canonical_json_ld_and_sitemap(client, mesotherapy, settings):
    settings.TREATMENT_PAGES_FRONTEND_BASE_URL = FRONTEND + "/"

    canonical, _alternates, json_ld = html_head_and_json_ld(client, mesotherapy)
    sitemap = client.get("/sitemap.xml")

    assert canonical == f"{FRONTEND}/treatments/mesotherapy/"
    assert json_ld[0]["url"] == canonical
    locations = [loc.text for loc in ET.fromstring(sitemap.content).findall("sm:url/sm:loc", SITEMAP_NS)]  # noqa: S314
    assert canonical in locations
    assert all(location.startswith(FRONTEND + "/") for location in locations), locations


# A host with translations serves them under language prefixes (Django's i18n_patterns, as
# Wagtail's localisation docs set up); English stays unprefixed.
urlpatterns = [
    *site_urls.urlpatterns[:-1],  # all but Wagtail's page serving, which comes last
    *i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False),
]


@pytest.mark.urls(__name__)
def test_translations_are_alternates_in_the_head_and_the_endpoint(client, mesotherapy, settings):
    settings.WAGTAIL_I18N_ENABLED = True
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES = [("en", "English"), ("es", "Spanish")]
    spanish = Locale.objects.create(language_code="es")
    home = Page.objects.get(pk=mesotherapy.get_parent().get_parent().pk)
    # The Spanish tree under the same root: home, index and article, each a translation.
    for page in (home, mesotherapy.get_parent(), mesotherapy):
        page.specific.copy_for_translation(spanish).save_revision().publish()
    translated = mesotherapy.get_translation(spanish)

    canonical, alternates, _json_ld = html_head_and_json_ld(client, mesotherapy)
    answer = seo_answer(client, translated)

    expected = [
        {"hreflang": "en", "href": mesotherapy.full_url},
        {"hreflang": "es", "href": translated.full_url},
        {"hreflang": "x-default", "href": mesotherapy.full_url},
    ]
    assert translated.full_url.endswith("/es/treatments/mesotherapy/")
    assert alternates == expected
    assert answer["alternates"] == expected
    assert answer["canonical_url"] == translated.full_url != canonical


def test_a_relative_front_end_base_url_is_a_system_check_error(settings):
    settings.TREATMENT_PAGES_FRONTEND_BASE_URL = "www.clinic.example"

    with pytest.raises(Exception, match="treatment_pages.E025"):
        call_command("check", fail_level="ERROR")
