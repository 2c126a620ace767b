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


HUGE = str(2**63)  # one above the largest 64-bit integer a database takes
HUGER = "9" * 40


@pytest.mark.parametrize("offset", [HUGE, HUGER, "-1", "1e3", "abc"])
@pytest.mark.parametrize(
    "path", ["/api/v3/pages/", "/api/v3/images/", "/api/v3/documents/", "/api/v3/redirects/"]
)
def test_an_offset_past_what_a_database_counts_is_a_400_problem_on_v3_listings(
    client, demo_site, path, offset
):
    """``offset=2**63`` reached the database as an integer it cannot hold: a 500 on both backends."""
    response = client.get(path, {"offset": offset})

    assert response.status_code in {400, 422}, (path, offset, response.status_code)
    assert response["Content-Type"] == "application/problem+json"
    assert "offset" in response.content.decode()


def test_a_limit_past_what_a_database_counts_names_the_listing_s_own_maximum(client, demo_site, settings):
    response = client.get("/api/v3/pages/", {"limit": HUGE})

    assert response.status_code == 400
    assert response.json()["detail"] == f"limit must be at most {settings.WAGTAILAPI_LIMIT_MAX}."


@pytest.mark.parametrize("path", ["/api/v3/pages/", "/api/v3/images/", "/api/v3/documents/"])
def test_the_largest_offset_a_database_takes_is_an_empty_page_not_an_error(client, demo_site, path):
    response = client.get(path, {"offset": str(2**63 - 1)})

    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("offset", [HUGE, HUGER])
@pytest.mark.parametrize("path", ["/api/v2/pages/", "/api/v2/images/", "/api/v2/documents/"])
def test_an_offset_past_what_a_database_counts_is_a_400_on_v2_listings(client, demo_site, path, offset):
    response = client.get(path, {"offset": offset})

    assert response.status_code == 400, (path, response.status_code)
    assert "offset" in response.json()["message"]


@pytest.mark.parametrize("operator", ["xor", "AND ", "", "nand"])
def test_an_unknown_search_operator_on_v2_pages_is_a_400_naming_the_choices(client, demo_site, operator):
    response = client.get("/api/v2/pages/", {"search": "knee", "search_operator": operator})

    assert response.status_code == 400, (operator, response.status_code)
    message = response.json()["message"]
    assert "search_operator" in message
    assert "'and'" in message and "'or'" in message


def test_v2_search_operators_still_work(client, demo_site):
    for operator in ("and", "or"):
        response = client.get("/api/v2/pages/", {"search": "knee", "search_operator": operator})
        assert response.status_code == 200


def test_a_preview_post_without_the_stream_field_counts_is_a_400(client, mesotherapy):
    """Wagtail's preview view read ``body-count`` with ``[]``: a tampered POST was a 500."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/pages/{mesotherapy.pk}/edit/preview/"

    response = Client(raise_request_exception=False).post(url, {"title": "x"})  # not signed in: redirect
    assert response.status_code == 302
    response = client.post(url, {"title": "Mesotherapy", "slug": "mesotherapy"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    # The editor's own preview still works.
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("score", ["5", 5.0, True, 4.5, None, [5], {"score": 5}, 0, 6, 2**70])
def test_a_vote_score_must_be_a_json_integer_from_1_to_5(client, mesotherapy, score):
    from treatment_pages.models import Rating

    response = client.post(
        f"/api/v3/ratings/{mesotherapy.pk}/votes/",
        json.dumps({"score": score}),
        content_type="application/json",
    )

    assert response.status_code == 422, (score, response.status_code)
    assert "score" in response.content.decode()
    assert not Rating.objects.filter(page=mesotherapy).exists()


@pytest.mark.parametrize("score", ["5.0", "true", "05 ", "", "٥"])
def test_a_form_posted_vote_takes_only_the_digits_1_to_5(client, mesotherapy, score):
    from treatment_pages.models import Rating

    response = client.post(
        f"/ratings/{mesotherapy.pk}/vote/", {"score": score}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 400, (score, response.status_code)
    assert not Rating.objects.filter(page=mesotherapy).exists()


def test_one_corrupted_ciphertext_leaves_the_inbox_and_staff_api_lists_working(client, demo_site):
    """One altered value made the inbox and the staff API list a 500 for everyone."""
    from django.db import connection
    from django.urls import reverse

    from lead_forms.models import AppointmentFormPage
    from tests.factories import UserFactory, api_token_for
    from tests.lead_forms.conftest import make_submission

    form_page = AppointmentFormPage.objects.get(slug="request-an-appointment")
    victim, _other = (make_submission(form_page, email=f"p{n}@example.org") for n in range(2))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lead_forms_appointmentsubmission SET name = 'lf2:00000000:AAAA' WHERE id = %s",
            [victim.pk],
        )
        cursor.execute(
            "UPDATE lead_forms_appointmentsubmission SET form_data = 'not even base64' WHERE id = %s",
            [victim.pk],
        )
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    inbox = client.get(reverse("lead_forms_appointmentsubmission_modeladmin_index"))
    assert inbox.status_code == 200
    assert "[unreadable]" in inbox.content.decode()
    detail = client.get(reverse("lead_forms_appointmentsubmission_modeladmin_inspect", args=[victim.pk]))
    assert detail.status_code == 200

    _token, key = api_token_for(admin)
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v3/appointment-requests/")
    assert listed.status_code == 200
    names = {item["reference"]: item["name"] for item in listed.json()["items"]}
    assert names[victim.reference] == "[unreadable]"
    assert list(names.values()).count("[unreadable]") == 1
