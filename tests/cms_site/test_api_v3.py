"""The v3 API's own endpoints, its OpenAPI schema, and the cross-origin rules for every API call."""

from unittest import mock

import pytest
from django.test import Client
from wagtail.images import get_image_model

from tests.factories import UserFactory, api_token_for

FRONT_END = "https://front.clinic.example"


@pytest.fixture
def front_end_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]


def test_clinic_contact_endpoint_gives_the_settings_editors_manage(client, demo_site):
    response = client.get("/api/v3/clinic-contact/")

    assert response.status_code == 200
    assert response.json() == {
        "clinic_name": "Riverside Skin & Wellness Clinic",
        "street_address": "42 Riverside Walk, Suite 3",
        "city": "Springfield",
        "state": "IL",
        "postcode": "62701",
        "phone": "+1 (217) 555-0142",
        "phone_href": "tel:+12175550142",
        "email": "appointments@riverside-clinic.example",
        "opening_hours": ["Monday to Friday: 8:30am - 6pm", "Saturday: 9am - 1pm", "Sunday: closed"],
    }


def test_v3_article_detail_has_typed_steps_breadcrumbs_and_renditions(client, mesotherapy):
    data = client.get(f"/api/v3/pages/{mesotherapy.pk}/").json()

    steps = next(block for block in data["body"] if block["type"] == "prevention_steps")["value"]["steps"]
    assert [len(step["sub_points"]) for step in steps] == [6, 0, 0, 4, 0]
    assert [crumb["url"] for crumb in data["breadcrumbs"]] == ["/", "/treatments/"]
    image = next(block for block in data["body"] if block["type"] == "image")["value"]["image"]
    assert image["renditions"]["large"]["width"] == 1200


def test_reading_an_article_again_makes_no_new_image_renditions(client, mesotherapy):
    """The API's image sizes are made once: later reads find them, in the API and on the page."""
    url = f"/api/v3/pages/{mesotherapy.pk}/"
    client.get(url)
    client.get(mesotherapy.url)

    Image = get_image_model()
    with mock.patch.object(
        Image, "generate_rendition_instance", autospec=True, side_effect=Image.generate_rendition_instance
    ) as generate:
        api_read, page_read = client.get(url), client.get(mesotherapy.url)

    assert (api_read.status_code, page_read.status_code) == (200, 200)
    assert generate.call_count == 0


def test_openapi_schema_documents_the_projects_endpoints(client, db):
    schema = client.get("/api/v3/openapi.json").json()

    assert "/api/v3/clinic-contact/" in schema["paths"]
    assert "/api/v3/pages/{page_id}/" in schema["paths"]
    article = schema["components"]["schemas"]["TreatmentPageSchema"]["properties"]
    assert article["breadcrumbs"]["anyOf"][0]["items"]["$ref"].endswith("/BreadcrumbDict")


def test_openapi_docs_can_be_switched_off(client, settings, db):
    settings.WAGTAILAPI_DOCS_ENABLED = False

    assert client.get("/api/v3/openapi.json").status_code == 404
    assert client.get("/api/v3/docs/").status_code == 404
    # The API itself keeps working.
    assert client.get("/api/v3/pages/").status_code == 200


def test_cors_preflight_answers_only_the_allowed_front_end(client, front_end_allowed, db):
    allowed = client.options(
        "/api/v3/clinic-contact/", HTTP_ORIGIN=FRONT_END, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    other = client.options(
        "/api/v3/clinic-contact/",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert allowed["Access-Control-Allow-Origin"] == FRONT_END
    assert "Access-Control-Allow-Origin" not in other
    # Page views never answer cross-origin requests.
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN=FRONT_END)


def test_anonymous_posts_from_other_origins_are_refused_before_any_view(client, front_end_allowed, db):
    refused = client.post(
        "/api/v3/pages/", {}, content_type="application/json", HTTP_ORIGIN="https://evil.example"
    )

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["title"] == "Origin not allowed"
    # The front end's origin, the site's own and clients that send no Origin reach the view
    # (which here wants a token).
    for origin in (FRONT_END, "http://testserver", None):
        headers = {"HTTP_ORIGIN": origin} if origin else {}
        response = client.post("/api/v3/pages/", {}, content_type="application/json", **headers)
        assert response.status_code == 401


def test_authenticated_answers_are_private_and_never_stored(db):
    user = UserFactory(username="tooling")
    _token, key = api_token_for(user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = client.get("/api/v3/whoami/")

    assert response.status_code == 200
    assert response.json()["user"]["username"] == "tooling"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    # Even a refused token's answer.
    refused = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/v3/whoami/")
    assert refused.status_code == 401
    assert "no-store" in refused["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    ["/api/v3/pages/find/?html_path=%00", "/api/v2/pages/find/?html_path=a%00b", "/api/v3/pages/?search=%00"],
)
def test_nul_characters_in_urls_are_a_clear_400_not_a_database_error(client, demo_site, url):
    """Found by the schema fuzz run on PostgreSQL, which refuses NUL in text."""
    response = client.get(url)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "NUL" in response.json()["detail"]


def test_openapi_docs_page_loads_its_scripts_from_the_site_itself(client, db):
    response = client.get("/api/v3/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    # The Content-Security-Policy allows only 'self': no CDN, no inline script.
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
