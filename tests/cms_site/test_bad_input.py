"""Bad input anywhere on the site is a clear 4xx, never a server error."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=%00",
        "/search/?q=knee&page=%00",
        "/search/?q%00=knee",
        "/treatments/?page=%00",
        "/treatments/mesotherapy/?utm_source=%00",
        "/?q=a%00b",
        "/treatments/mesotherapy%00/",
    ],
)
def test_a_nul_character_in_a_public_url_is_a_400_page_saying_what_is_wrong(client, demo_site, url):
    """``/search/?q=%00`` was a 500 on PostgreSQL: the search query reached the database."""
    response = client.get(url)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "NUL character" in response.content.decode()


@pytest.mark.postgres
def test_site_search_for_a_nul_character_is_a_400_on_postgresql(client, demo_site):
    response = client.get("/search/", {"q": "knee\x00pain"})

    assert response.status_code == 400
    # Search itself still works.
    assert client.get("/search/", {"q": "knee"}).status_code == 200


@pytest.mark.parametrize("debug", [True, False], ids=["dev", "production"])
def test_an_api_body_over_the_upload_limit_is_a_413_problem_document(settings, demo_site, debug):
    from lead_forms.models import AppointmentFormPage

    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    page = AppointmentFormPage.objects.get()
    body = json.dumps({"answers": {"your_comments": "x" * 5_000}, "form_token": ""})

    for url in (f"/api/v3/forms/{page.pk}/submissions/", "/api/v3/ratings/1/votes/"):
        response = Client(raise_request_exception=False).post(url, body, content_type="application/json")

        assert response.status_code == 413, (url, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 413
        assert "2000 bytes" in problem["detail"]


def test_the_413_answer_is_in_the_openapi_schema_of_operations_with_a_body(client, db):
    paths = client.get("/api/v3/openapi.json").json()["paths"]

    submit = paths["/api/v3/forms/{page_id}/submissions/"]["post"]["responses"]
    assert submit["413"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "413" not in paths["/api/v3/forms/{page_id}/"]["get"]["responses"]
