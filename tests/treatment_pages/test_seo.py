"""What search engines and link previews read from an article."""

import json
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own sitemap

from bs4 import BeautifulSoup
from wagtail_factories import ImageFactory

from tests.factories import TreatmentPageFactory

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_title_and_description_come_from_the_promote_fields(client, mesotherapy):
    mesotherapy.seo_title = "Mesotherapy for cellulite and wrinkles"
    mesotherapy.search_description = "How mesotherapy works and what it costs your skin."
    mesotherapy.save_revision().publish()

    soup = soup_of(client, mesotherapy.url)

    assert (
        soup.title.get_text() == "Mesotherapy for cellulite and wrinkles | Riverside Skin & Wellness Clinic"
    )
    assert soup.find("meta", attrs={"name": "description"})["content"] == (
        "How mesotherapy works and what it costs your skin."
    )
    assert soup.find("meta", property="og:title")["content"] == "Mesotherapy for cellulite and wrinkles"
    assert soup.find("meta", property="og:description")["content"] == (
        "How mesotherapy works and what it costs your skin."
    )


def test_title_and_description_fall_back_to_title_and_intro(client, treatment_index):
    article = TreatmentPageFactory(parent=treatment_index, title="Botox", intro="Botox relaxes the muscles.")

    soup = soup_of(client, article.url)

    assert soup.title.get_text() == "Botox | Riverside Skin & Wellness Clinic"
    assert soup.find("meta", attrs={"name": "description"})["content"] == "Botox relaxes the muscles."


def test_canonical_link_and_open_graph_tags(client, mesotherapy):
    soup = soup_of(client, mesotherapy.url)

    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical == mesotherapy.full_url
    assert canonical.endswith("/treatments/mesotherapy/")
    assert soup.find("meta", property="og:url")["content"] == canonical
    assert soup.find("meta", property="og:type")["content"] == "article"
    assert soup.find("meta", property="og:site_name")["content"] == "Riverside Skin & Wellness Clinic"


def test_hero_image_becomes_the_link_preview_image(client, mesotherapy):
    mesotherapy.hero_image = ImageFactory()
    mesotherapy.hero_image_alt = "A treatment room"
    mesotherapy.save_revision().publish()

    soup = soup_of(client, mesotherapy.url)

    og_image = soup.find("meta", property="og:image")["content"]
    assert og_image.startswith("http://testserver/media/images/")
    assert soup.select_one(".article__hero img")["alt"] == "A treatment room"


def test_json_ld_describes_a_medical_web_page_with_its_review_date(client, mesotherapy):
    signed_on = mesotherapy.review_seal.reviewed_on
    # A date typed into the field is not a review: only the clinician's sign-off (the seal) counts.
    mesotherapy.last_reviewed = "2015-08-26"
    mesotherapy.save_revision().publish()

    soup = soup_of(client, mesotherapy.url)

    scripts = [json.loads(script.string) for script in soup.find_all("script", type="application/ld+json")]
    # The article, and the FAQPage of its FAQ block.
    assert [script["@type"] for script in scripts] == ["MedicalWebPage", "FAQPage"]
    data = scripts[0]
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["lastReviewed"] == signed_on.isoformat()
    assert data["reviewedBy"]["name"] == "Dr Jane Doe"
    assert data["headline"] == "Mesotherapy"
    assert data["url"] == mesotherapy.full_url


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, treatment_index):
    article = TreatmentPageFactory(parent=treatment_index, title="</script><script>alert(1)</script>")

    response = client.get(article.url)

    assert b"</script><script>alert(1)" not in response.content
    data = json.loads(
        BeautifulSoup(response.content, "html.parser").find("script", type="application/ld+json").string
    )
    assert data["headline"] == "</script><script>alert(1)</script>"


def test_sitemap_lists_live_articles_only(client, treatment_index, mesotherapy):
    draft = TreatmentPageFactory(parent=treatment_index, slug="draft-article", live=False)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = [loc.text for loc in ET.fromstring(response.content).findall("sm:url/sm:loc", SITEMAP_NS)]  # noqa: S314
    for slug in ("mesotherapy", "chemical-peel", "laser-hair-removal"):
        assert any(location.endswith(f"/treatments/{slug}/") for location in locations), locations
    assert mesotherapy.full_url in locations
    assert not any(draft.slug in location for location in locations)


def test_robots_txt_allows_the_site_and_points_at_the_sitemap(client, demo_site):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
