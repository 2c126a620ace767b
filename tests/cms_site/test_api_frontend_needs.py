"""What a front-end team needs beyond pages: absolute image URLs and pictures on request, every
public path for sitemaps and static builds, search, structured citations, no editors' data."""

from unittest import mock

import pytest
from django.test import override_settings
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from tests.factories import TreatmentPageFactory


@pytest.fixture
def demo_image(mesotherapy):
    return next(block for block in mesotherapy.body if block.block_type == "image").value["image"]


def test_image_urls_are_absolute_so_another_origin_can_show_them(client, mesotherapy):
    data = client.get(f"/api/v3/pages/{mesotherapy.pk}/").json()

    image = next(block for block in data["body"] if block["type"] == "image")["value"]["image"]
    for rendition in image["renditions"].values():
        assert rendition["url"].startswith("http://testserver/media/images/"), rendition


def test_a_picture_gives_srcset_widths_in_avif_webp_and_the_original_format(client, demo_image):
    response = client.get(f"/api/v3/pictures/{demo_image.pk}/?size=content")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    picture = response.json()
    widths = [width for width in (480, 800, 1200, 1600) if width <= demo_image.width]
    assert [entry.split()[-1] for entry in picture["srcset"].split(", ")] == [f"{w}w" for w in widths]
    assert [source["type"] for source in picture["sources"]] == ["image/avif", "image/webp"]
    avif_urls = [entry.split()[0] for entry in picture["sources"][0]["srcset"].split(", ")]
    assert all(
        url.startswith("http://testserver/media/images/") and url.endswith(".avif") for url in avif_urls
    )
    assert picture["sources"][1]["srcset"].count(".webp ") == len(widths)
    assert picture["src"].startswith("http://testserver/") and picture["width"] <= 800
    assert picture["height"] * demo_image.width == pytest.approx(
        picture["width"] * demo_image.height, rel=0.01
    )


def test_a_cropped_picture_keeps_its_ratio(client, demo_image):
    picture = client.get(f"/api/v3/pictures/{demo_image.pk}/?size=card").json()

    assert picture["width"] * 3 == picture["height"] * 4


def test_pictures_are_made_once_and_only_at_allowed_sizes(client, demo_image):
    url = f"/api/v3/pictures/{demo_image.pk}/?size=hero"
    client.get(url)
    Image = get_image_model()
    with mock.patch.object(
        Image, "generate_rendition_instance", autospec=True, side_effect=Image.generate_rendition_instance
    ) as generate:
        again = client.get(url, HTTP_CACHE_CONTROL="no-cache")
    assert again.status_code == 200
    assert generate.call_count == 0

    refused = client.get(f"/api/v3/pictures/{demo_image.pk}/?size=fill-4000x4000")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert "size" in refused.content.decode()
    missing = client.get("/api/v3/pictures/999999/?size=card")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


def test_every_public_path_is_listed_once_with_a_cursor(client, home_page, treatment_index):
    for number in range(5):
        TreatmentPageFactory(parent=treatment_index, title=f"Article {number}", slug=f"article-{number}")
    draft = TreatmentPageFactory(parent=treatment_index, title="Draft", slug="draft-article", live=False)
    private = TreatmentPageFactory(parent=treatment_index, title="Private", slug="private-article")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    expected = {page.url for page in home_page.get_descendants(inclusive=True).live().public().specific()}

    seen, cursor, batches = [], None, 0
    while True:
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(f"/api/v3/paths/{query}")
        assert response.status_code == 200, response.content
        data = response.json()
        seen.extend(data["items"])
        batches += 1
        cursor = data["next"]
        if cursor is None:
            break

    paths = [item["path"] for item in seen]
    assert len(paths) == len(set(paths)) == len(expected) > 20 // 3
    assert set(paths) == expected
    assert batches == -(-len(expected) // 3)
    assert draft.url not in paths and "/treatments/private-article/" not in paths
    article = next(item for item in seen if item["path"] == "/treatments/article-0/")
    assert article["type"] == "treatment_pages.TreatmentPage"
    assert article["url"] == "http://localhost/treatments/article-0/"
    assert article["locale"] == "en"
    published = next(item for item in seen if item["path"] == "/treatments/mesotherapy/")
    assert published["last_modified"].startswith(
        str(treatment_index.get_children().get(slug="mesotherapy").last_published_at.date())
    )


def test_paths_follow_the_front_end_base_url(client, mesotherapy):
    with override_settings(TREATMENT_PAGES_FRONTEND_BASE_URL="https://www.clinic.example"):
        items = client.get("/api/v3/paths/").json()["items"]

    assert "https://www.clinic.example/treatments/mesotherapy/" in [item["url"] for item in items]


def test_a_tampered_cursor_is_a_problem_saying_what_to_do(client, demo_site):
    response = client.get("/api/v3/paths/?cursor=00010001")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "next" in response.json()["detail"]


def test_search_finds_treatments_best_first_as_cards(client, mesotherapy):
    response = client.get("/api/v3/treatments/search/?q=mesotherapy")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] >= 1
    assert data["items"][0]["id"] == mesotherapy.pk
    assert data["items"][0]["path"] == "/treatments/mesotherapy/"
    assert client.get("/api/v3/treatments/search/?q=xylophone").json() == {"count": 0, "items": []}


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20%20"])
def test_an_empty_search_is_a_problem_naming_the_parameter(client, demo_site, query):
    response = client.get(f"/api/v3/treatments/search/{query}")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "q" in {error["loc"][-1] for error in response.json()["errors"]}


def test_citations_are_structured_besides_the_html(client, mesotherapy):
    data = client.get(f"/api/v3/pages/{mesotherapy.pk}/").json()

    block_ids = {block["id"] for block in data["body"]}
    numbers = {reference["number"] for reference in data["references"]}
    assert data["citations"], "the demo article cites its references"
    for citation in data["citations"]:
        assert citation["block_id"] in block_ids
        assert citation["number"] in numbers
        assert citation["anchor"] == f"ref-{citation['number']}"
    first = next(block for block in data["body"] if block["id"] == data["citations"][0]["block_id"])
    assert f"[{data['citations'][0]['number']}]" in str(first["value"])


def test_the_editors_readability_score_is_not_in_public_answers(client, mesotherapy):
    v3 = client.get(f"/api/v3/pages/{mesotherapy.pk}/").json()
    v2 = client.get(f"/api/v2/pages/{mesotherapy.pk}/").json()

    assert "readability" not in v3
    assert "readability" not in v2
    schema = client.get("/api/v3/openapi.json").content.decode()
    assert "hardest_sentences" not in schema


def test_a_host_whose_image_urls_would_be_paths_is_warned(settings):
    from treatment_pages.checks import check_absolute_media_urls

    settings.WAGTAILADMIN_BASE_URL = ""
    settings.MEDIA_URL = "/media/"
    assert [warning.id for warning in check_absolute_media_urls(None)] == ["treatment_pages.W003"]
    settings.MEDIA_URL = "https://cdn.clinic.example/media/"
    assert check_absolute_media_urls(None) == []
