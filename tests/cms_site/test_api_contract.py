"""The v3 OpenAPI document is valid and says what the server does; public reads are cacheable."""

import pytest
from openapi_spec_validator import validate

FRONT_END = "https://front.clinic.example"


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_openapi_document_is_valid(openapi):
    validate(openapi)


def test_public_reads_declare_no_security_requirement(openapi):
    assert set(openapi["components"]["securitySchemes"]) == {"BearerTokenAuth"}
    paths = openapi["paths"]
    assert "security" not in paths["/api/v3/pages/{page_id}/"]["get"]
    assert "security" not in paths["/api/v3/forms/{page_id}/submissions/"]["post"]
    assert paths["/api/v3/appointment-requests/"]["get"]["security"] == [{"BearerTokenAuth": []}]


def test_every_error_answer_refers_to_the_one_problem_schema(openapi):
    assert openapi["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]
    for _path, _method, operation in operations(openapi):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }, (_path, _method, status)


def test_find_documents_its_redirect_and_limit_its_maximum(openapi, settings):
    find = openapi["paths"]["/api/v3/pages/find/"]["get"]
    assert "302" in find["responses"] and "200" not in find["responses"]
    listing = openapi["paths"]["/api/v3/pages/"]["get"]
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == settings.WAGTAILAPI_LIMIT_MAX


def test_find_answers_the_documented_redirect(client, mesotherapy):
    response = client.get("/api/v3/pages/find/", {"html_path": "/treatments/mesotherapy/"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"/api/v3/pages/{mesotherapy.pk}/")


def test_unknown_query_parameter_is_a_problem_naming_the_known_ones(client, mesotherapy):
    response = client.get(f"/api/v3/pages/{mesotherapy.pk}/", {"fields": "intro"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "fields" in response.json()["detail"]
    assert "rich_text_format" in response.json()["detail"]


def test_listing_still_filters_by_page_fields(client, mesotherapy):
    response = client.get("/api/v3/pages/", {"slug": "mesotherapy"})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mesotherapy.pk]


def test_conditional_get_answers_304_until_the_page_is_published_again(client, mesotherapy):
    url = f"/api/v3/pages/{mesotherapy.pk}/"
    first = client.get(url)
    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    assert first.has_header("Last-Modified")

    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    mesotherapy.title = "Mesotherapy, revised"
    mesotherapy.save_revision().publish()
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert after.json()["title"] == "Mesotherapy, revised"


def test_authenticated_answers_are_private_and_carry_no_public_etag(client, mesotherapy):
    from tests.factories import UserFactory, api_token_for

    _token, key = api_token_for(UserFactory(is_superuser=True))
    response = client.get(f"/api/v3/pages/{mesotherapy.pk}/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_preflight_allows_the_headers_the_api_reads(client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]
    response = client.options(
        "/api/v3/ratings/1/votes/",
        HTTP_ORIGIN=FRONT_END,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-voter-token, authorization",
    )

    assert response.status_code == 200
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-voter-token", "authorization"} <= allowed


def test_browser_code_can_read_retry_after_and_etag(client, settings, mesotherapy):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]
    response = client.get(f"/api/v3/pages/{mesotherapy.pk}/", HTTP_ORIGIN=FRONT_END)

    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "etag", "last-modified"} <= exposed


def test_treatment_listing_gives_what_a_card_shows(
    client, treatment_index, mesotherapy, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get("/api/v3/treatments/", {"index": treatment_index.pk})

    assert response.status_code == 200
    data = response.json()
    card = next(item for item in data["items"] if item["id"] == mesotherapy.pk)
    assert card["path"] == "/treatments/mesotherapy/"
    assert card["intro"] == mesotherapy.intro
    assert card["rating"]["text"] == "Not rated yet (0 out of 5)"
    assert card["last_updated"] == mesotherapy.last_updated.isoformat()
    assert data["count"] == len(data["items"]) >= 2


def test_treatment_listing_refuses_a_limit_over_its_maximum(client, treatment_index):
    response = client.get("/api/v3/treatments/", {"limit": 21})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_navigation_matches_the_sites_header(client, home_page, treatment_index):
    response = client.get("/api/v3/navigation/")

    assert response.status_code == 200
    data = response.json()
    assert data["home"] == {
        "id": home_page.pk,
        "title": home_page.title,
        "path": "/",
        "type": "cms_site.HomePage",
    }
    assert {"title": "Treatments", "path": "/treatments/"}.items() <= next(
        item for item in data["items"] if item["id"] == treatment_index.pk
    ).items()


def test_seo_endpoint_carries_the_pages_head_and_json_ld(client, mesotherapy):
    page = client.get("/treatments/mesotherapy/").content.decode()
    response = client.get(f"/api/v3/seo/{mesotherapy.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert f'<link rel="canonical" href="{data["canonical_url"]}">' in page
    assert f'<meta name="description" content="{data["description"]}">' in page
    assert data["json_ld"][0]["@type"] == "MedicalWebPage"
    assert data["json_ld"][0]["headline"] == mesotherapy.title
    assert client.get("/api/v3/seo/999999/").status_code == 404


def test_home_page_fields_are_in_the_api(client, home_page):
    response = client.get(f"/api/v3/pages/{home_page.pk}/")

    assert response.status_code == 200
    assert response.json()["intro"] == home_page.intro
