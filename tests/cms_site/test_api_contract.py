"""The v3 OpenAPI document is valid and says what the server does; public reads are cacheable."""

from unittest import mock

import pytest
from django.test import Client
from django.utils.http import parse_http_date
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


def test_public_reads_declare_anonymous_access(openapi):
    assert set(openapi["components"]["securitySchemes"]) == {"BearerTokenAuth"}
    paths = openapi["paths"]
    # Anyone (``{}``); Wagtail's reads also take a bearer token, which widens what they see.
    assert paths["/api/v3/pages/{page_id}/"]["get"]["security"] == [{}, {"BearerTokenAuth": []}]
    assert paths["/api/v3/forms/{page_id}/submissions/"]["post"]["security"] == [{}]
    assert paths["/api/v3/appointment-requests/"]["get"]["security"] == [{"BearerTokenAuth": []}]


def test_find_is_declared_as_the_object_it_answers(openapi, settings):
    find = openapi["paths"]["/api/v3/pages/find/"]["get"]
    detail = openapi["paths"]["/api/v3/pages/{page_id}/"]["get"]
    assert "302" not in find["responses"]
    assert find["responses"]["200"]["content"] == detail["responses"]["200"]["content"]
    assert "Content-Location" in find["responses"]["200"]["headers"]
    redirect_find = openapi["paths"]["/api/v3/redirects/find/"]["get"]["responses"]["200"]
    assert redirect_find["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RedirectSchema"
    }
    listing = openapi["paths"]["/api/v3/pages/"]["get"]
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == settings.WAGTAILAPI_LIMIT_MAX


def test_find_answers_the_page_with_its_detail_url(client, mesotherapy):
    response = client.get("/api/v3/pages/find/", {"html_path": "/treatments/mesotherapy/"})

    assert response.status_code == 200
    assert response["Content-Location"] == f"/api/v3/pages/{mesotherapy.pk}/"
    data = response.json()
    assert (data["id"], data["type"], data["meta"]["type"]) == (
        mesotherapy.pk,
        "treatment_pages.TreatmentPage",
        "treatment_pages.TreatmentPage",
    )
    assert data == client.get(f"/api/v3/pages/{mesotherapy.pk}/").json()
    assert client.get("/api/v3/pages/find/", {"html_path": "/no-such-page/"}).status_code == 404


def test_find_of_a_draft_needs_an_editor_and_answers_the_draft_privately(client, mesotherapy):
    from tests.factories import UserFactory, api_token_for

    mesotherapy.title = "Mesotherapy (draft)"
    mesotherapy.save_revision()
    _token, key = api_token_for(UserFactory(is_superuser=True))
    query = {"html_path": "/treatments/mesotherapy/", "version": "draft"}

    assert client.get("/api/v3/pages/find/", query).status_code == 401
    response = client.get("/api/v3/pages/find/", query, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["title"] == "Mesotherapy (draft)"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_redirect_find_takes_a_browsers_path_with_its_trailing_slash(client, mesotherapy):
    from wagtail.contrib.redirects.models import Redirect

    redirect = Redirect.objects.create(old_path="/old-mesotherapy", redirect_page=mesotherapy)
    for path in ("/old-mesotherapy/", "/old-mesotherapy"):
        response = client.get("/api/v3/redirects/find/", {"html_path": path})

        assert response.status_code == 200, path
        assert response.json()["id"] == redirect.pk
        assert response.json()["redirect_page_id"] == mesotherapy.pk
        assert response["Content-Location"] == f"/api/v3/redirects/{redirect.pk}/"


def test_page_union_is_discriminated_by_a_top_level_type(openapi):
    schemas = openapi["components"]["schemas"]
    union = openapi["paths"]["/api/v3/pages/{page_id}/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "type"
    assert mapping["treatment_pages.TreatmentPage"] == "#/components/schemas/TreatmentPageSchema"
    assert sorted(mapping.values()) == sorted(variant["$ref"] for variant in union["oneOf"])
    for label, ref in mapping.items():
        variant = schemas[ref.rsplit("/", 1)[1]]
        assert variant["properties"]["type"]["const"] == label
        assert "type" in variant["required"]
    # A revision's page is the same union.
    revision = schemas["PageRevisionDetailSchema"]["properties"]["content_object"]
    assert revision["discriminator"]["mapping"] == mapping


def test_every_page_answer_carries_its_type_at_the_top(client, home_page, mesotherapy, article_with_form):
    for page in (home_page, mesotherapy, article_with_form):
        response = client.get(f"/api/v3/pages/{page.pk}/")

        assert response.status_code == 200
        data = response.json()
        assert data["type"] == data["meta"]["type"] == page.specific_class._meta.label
        assert int(response["Content-Length"]) == len(response.content)


def test_unknown_query_parameter_is_a_problem_naming_the_known_ones(client, mesotherapy):
    response = client.get(f"/api/v3/pages/{mesotherapy.pk}/", {"fields": "intro"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "fields" in response.json()["detail"]
    assert "rich_text_format" in response.json()["detail"]


def test_listing_filters_by_the_page_fields_it_declares(client, openapi, mesotherapy):
    declared = {p["name"]: p for p in openapi["paths"]["/api/v3/pages/"]["get"]["parameters"]}
    assert {"slug", "title", "show_in_menus", "id", "intro", "last_reviewed"} <= set(declared)
    assert declared["show_in_menus"]["schema"] == {"type": "boolean"}
    assert "treatment_pages.TreatmentPage" in declared["intro"]["description"]

    response = client.get("/api/v3/pages/", {"slug": "mesotherapy"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mesotherapy.pk]

    typed = client.get(
        "/api/v3/pages/", {"type": "treatment_pages.TreatmentPage", "intro": mesotherapy.intro}
    )
    assert typed.status_code == 200
    assert [item["id"] for item in typed.json()["items"]] == [mesotherapy.pk]


def test_listing_refuses_unknown_and_misapplied_filters(client, mesotherapy):
    unknown = client.get("/api/v3/pages/", {"colour": "red"})
    assert unknown.status_code == 400
    assert unknown["Content-Type"] == "application/problem+json"
    assert "colour" in unknown.json()["detail"] and "slug" in unknown.json()["detail"]

    # Wagtail applies a page type's own field only with that one type: otherwise it lists everything.
    untyped = client.get("/api/v3/pages/", {"intro": mesotherapy.intro})
    assert untyped.status_code == 400
    assert "type=treatment_pages.TreatmentPage" in untyped.json()["detail"]


def test_unknown_query_parameters_are_refused_on_writes_too(client, mesotherapy):
    response = client.post(
        f"/api/v3/ratings/{mesotherapy.pk}/votes/?debug=1", {"score": 5}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "debug" in response.json()["detail"]


def test_conditional_get_answers_304_until_the_page_is_published_again(client, mesotherapy):
    url = f"/api/v3/pages/{mesotherapy.pk}/"
    first = client.get(url)
    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    assert first.has_header("Last-Modified")

    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    not_modified = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == first["ETag"]

    mesotherapy.title = "Mesotherapy, revised"
    mesotherapy.save_revision().publish()
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert after.json()["title"] == "Mesotherapy, revised"
    # Changed since: dated after the copy the client holds, so If-Modified-Since gets it too.
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
    assert parse_http_date(after["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_if_modified_since_notices_changes_a_publish_does_not_make(client, mesotherapy):
    from treatment_pages.ratings.votes import cast_vote

    url = f"/api/v3/pages/{mesotherapy.pk}/"
    first = client.get(url)
    cast_vote(mesotherapy, "voter-key", 4, client_address="203.0.113.9")

    after = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert after.status_code == 200
    assert after.json()["rating"]["count"] == 1


def test_conditional_requests_work_on_every_public_read(client, mesotherapy):
    url = f"/api/v3/ratings/{mesotherapy.pk}/"
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


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
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-voter-token, authorization, if-modified-since",
    )

    assert response.status_code == 200
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-voter-token", "authorization", "if-modified-since"} <= allowed


def test_browser_code_can_read_retry_after_and_etag(client, settings, mesotherapy):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]
    response = client.get(f"/api/v3/pages/{mesotherapy.pk}/", HTTP_ORIGIN=FRONT_END)

    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "etag", "last-modified", "content-location"} <= exposed


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


def test_unknown_paths_and_methods_are_problem_documents(client, db):
    unknown = client.get("/api/v3/no-such-endpoint/")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"
    assert unknown.json()["status"] == 404

    wrong_method = client.put("/api/v3/treatments/")
    assert wrong_method.status_code == 405
    assert wrong_method["Content-Type"] == "application/problem+json"
    assert wrong_method["Allow"] == "GET"
    assert "GET" in wrong_method.json()["detail"]


def test_an_unexpected_error_is_a_problem_document_that_says_nothing_of_it(db, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with mock.patch(
        "treatment_pages.api.routers.Site.find_for_request", side_effect=RuntimeError("secret detail")
    ):
        response = client.get("/api/v3/navigation/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Internal Server Error"
    assert "secret" not in response.content.decode()


def test_every_401_says_how_to_authenticate(client, openapi, db):
    response = client.get("/api/v3/appointment-requests/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    declared = openapi["paths"]["/api/v3/appointment-requests/"]["get"]["responses"]["401"]
    assert "WWW-Authenticate" in declared["headers"]


def test_declared_headers_have_their_types(openapi):
    paths = openapi["paths"]
    vote = paths["/api/v3/ratings/{page_id}/votes/"]["post"]["responses"]["429"]
    assert vote["headers"]["Retry-After"]["schema"]["type"] == "integer"
    summary = paths["/api/v3/ratings/{page_id}/"]["get"]
    voter = next(p for p in summary["parameters"] if p["name"] == "X-Voter-Token")
    assert (voter["in"], voter["schema"]["type"]) == ("header", "string")
    headers = {p["name"] for p in summary["parameters"] if p["in"] == "header"}
    assert {"If-None-Match", "If-Modified-Since"} <= headers
    assert {"ETag", "Last-Modified"} <= set(summary["responses"]["200"]["headers"])


def test_field_errors_point_into_the_request_as_sent(client, mesotherapy):
    from tests.factories import UserFactory, api_token_for

    vote = client.post(
        f"/api/v3/ratings/{mesotherapy.pk}/votes/",
        {"score": "five", "voter_token": 5},
        content_type="application/json",
    )
    assert vote.status_code == 422
    assert sorted(error["loc"] for error in vote.json()["errors"]) == [
        ["body", "score"],
        ["body", "voter_token"],
    ]

    listing = client.get("/api/v3/pages/", {"first_published_at": "yesterday"})
    assert listing.status_code == 422
    assert listing.json()["errors"][0]["loc"][0] == "query"
    assert int(listing["Content-Length"]) == len(listing.content)  # rewritten, and still whole

    _token, key = api_token_for(UserFactory(is_superuser=True))
    created = client.post(
        "/api/v3/pages/",
        {"meta": {"type": "treatment_pages.TreatmentIndexPage", "parent_id": mesotherapy.get_parent().pk}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert created.status_code == 422
    for error in created.json()["errors"]:
        assert error["loc"][0] == "body" and error["loc"][1:2] != ["data"], error
