"""The v2 read API as a separate front end uses it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from tests.factories import TreatmentPageFactory


@pytest.fixture
def image(demo_site):
    from wagtail.images import get_image_model

    return get_image_model().objects.get()


def article_body(image_pk, page_pk):
    return [
        {"type": "heading", "value": {"text": "Why", "level": "h2"}},
        {"type": "image", "value": {"image": image_pk, "alt_text": "A room", "caption": ""}},
        {
            "type": "next_steps",
            "value": {"heading": "Next steps", "text": "Call us.", "page": page_pk, "link_text": "Book"},
        },
        {
            "type": "paragraph",
            "value": f'<p>See <a linktype="page" id="{page_pk}">our treatments</a>.</p>',
        },
    ]


def test_demo_article_body_is_typed_json_with_steps_and_sub_points(client, mesotherapy):
    response = client.get(f"/api/v2/pages/{mesotherapy.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["type"] == "treatment_pages.TreatmentPage"
    assert data["intro"].startswith("Mesotherapy is a series of tiny injections")
    # The demo article was clinically reviewed: that date is when it was last updated.
    assert data["last_updated"] == mesotherapy.last_reviewed.isoformat()
    assert [(crumb["title"], crumb["url"]) for crumb in data["breadcrumbs"]] == [
        ("Welcome to Riverside Skin & Wellness Clinic", "/"),
        ("Treatments", "/treatments/"),
    ]
    steps_blocks = [block for block in data["body"] if block["type"] == "prevention_steps"]
    assert len(steps_blocks) == 1
    steps = steps_blocks[0]["value"]["steps"]
    assert [step["text"] for step in steps][:2] == ["Watch your diet", "Quit smoking"]
    assert [len(step["sub_points"]) for step in steps] == [6, 0, 0, 4, 0]
    assert steps[0]["sub_points"][0] == "Fill half your plate with vegetables and fruit."

    image_block = next(block for block in data["body"] if block["type"] == "image")["value"]
    assert image_block["alt_text"] == "A bright, calm treatment room with a reclining chair"
    assert set(image_block["image"]["renditions"]) == {"thumbnail", "medium", "large"}
    assert image_block["image"]["renditions"]["thumbnail"]["width"] == 400
    assert image_block["image"]["renditions"]["thumbnail"]["url"].startswith(
        "http://testserver/media/images/"
    )

    next_steps = next(block for block in data["body"] if block["type"] == "next_steps")["value"]
    assert next_steps["page"]["url"] == "/request-an-appointment/"
    assert next_steps["page"]["type"] == "lead_forms.AppointmentFormPage"
    assert next_steps["phone"] == "+1 (217) 555-0142"
    assert next_steps["email"] == "appointments@riverside-clinic.example"


def test_rich_text_internal_links_are_resolved_to_urls(client, treatment_index, image):
    article = TreatmentPageFactory(parent=treatment_index, body=article_body(image.pk, treatment_index.pk))

    data = client.get(f"/api/v2/pages/{article.pk}/").json()

    paragraph = next(block for block in data["body"] if block["type"] == "paragraph")["value"]
    assert '<a href="/treatments/">our treatments</a>' in paragraph
    assert "linktype" not in paragraph


def test_rendition_sizes_cannot_be_chosen_from_the_query_string(client, image):
    data = client.get(f"/api/v2/images/{image.pk}/").json()
    assert data["thumbnail"]["width"] == 400
    assert data["large"]["width"] == 1200

    response = client.get("/api/v2/images/", {"fields": "fill_10x10"})
    assert response.status_code == 400
    assert "unknown fields: fill_10x10" in response.json()["message"]


def _listing_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            "/api/v2/pages/", {"type": "treatment_pages.TreatmentPage", "fields": "*", "limit": 50}
        )
    assert response.status_code == 200
    return response.json(), len(queries)


def _add_articles(treatment_index, image, total):
    existing = treatment_index.get_children().count()
    for _ in range(total - existing):
        TreatmentPageFactory(parent=treatment_index, body=article_body(image.pk, treatment_index.pk))


def test_fields_star_listing_costs_the_same_queries_for_5_and_50_articles(
    client, settings, treatment_index, image
):
    settings.WAGTAILAPI_LIMIT_MAX = 100
    _add_articles(treatment_index, image, 5)
    # Warm per-process caches (content types, site root paths) and create the renditions.
    _listing_queries(client)
    five, queries_for_five = _listing_queries(client)

    _add_articles(treatment_index, image, 50)
    _listing_queries(client)
    fifty, queries_for_fifty = _listing_queries(client)

    assert (five["meta"]["total_count"], fifty["meta"]["total_count"]) == (5, 50)
    assert all(item["breadcrumbs"][-1]["title"] == "Treatments" for item in fifty["items"])
    assert all(item["rating"]["text"] == "Not rated yet (0 out of 5)" for item in fifty["items"])
    bodies = [{block["type"]: block["value"] for block in item["body"]} for item in fifty["items"]]
    with_image = [body for body in bodies if "image" in body]
    assert len(with_image) == 48  # the 47 added here and the demo's Mesotherapy
    for body in with_image:
        assert body["next_steps"]["page"]["url"] in {"/treatments/", "/request-an-appointment/"}
        assert body["image"]["image"]["renditions"]["medium"]["width"] == 800
    assert sum('<a href="/treatments/">' in body.get("paragraph", "") for body in bodies) == 47
    assert queries_for_five == queries_for_fifty


def test_listing_excludes_drafts_and_private_pages(client, treatment_index):
    draft = TreatmentPageFactory(parent=treatment_index, title="Secret draft", live=False)

    data = client.get("/api/v2/pages/", {"type": "treatment_pages.TreatmentPage"}).json()

    assert draft.pk not in [item["id"] for item in data["items"]]
    assert client.get(f"/api/v2/pages/{draft.pk}/").status_code == 404
    assert Page.objects.filter(pk=draft.pk).exists()
