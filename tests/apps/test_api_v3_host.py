"""The v3 API in a host that mounts Wagtail's API with its one documented line (tests/apps/urls.py).

No cms_site: no API module of its own, no API middleware. The apps add their
endpoints, their origin policy and their typed article body themselves.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from lead_forms.models import AppointmentSubmission
from treatment_pages.models import Rating
from treatment_pages.models.webhooks import EVENT_NAMES

pytestmark = pytest.mark.django_db

EVIL = "https://evil.example"
FRONT_END = "https://front.clinic.example"


def vote(client, article, score=4, **headers):
    return client.post(
        f"/api/v3/ratings/{article.pk}/votes/",
        json.dumps({"score": score}),
        content_type="application/json",
        **headers,
    )


def submit(client, form_page, answers, **headers):
    token = client.post(f"/api/v3/forms/{form_page.pk}/token/").json()["form_token"]
    return client.post(
        f"/api/v3/forms/{form_page.pk}/submissions/",
        json.dumps({"answers": answers, "form_token": token}),
        content_type="application/json",
        **headers,
    )


ANSWERS = {"full_name": "Ada Patient", "email": "ada@example.com"}


def test_the_one_line_mount_serves_every_endpoint_of_both_apps(client, article, form_page):
    form = client.get(f"/api/v3/forms/{form_page.pk}/")
    rating = client.get(f"/api/v3/ratings/{article.pk}/")
    treatments = client.get("/api/v3/treatments/")
    document = client.get("/api/v3/openapi.json")

    assert form.status_code == 200
    assert [field["label"] for field in form.json()["fields"]] == ["Full name", "Email"]
    assert rating.status_code == 200
    assert rating.json()["count"] == 0
    assert treatments.status_code == 200
    assert [item["title"] for item in treatments.json()["items"]] == ["Mesotherapy"]
    assert document.status_code == 200
    paths = document.json()["paths"]
    for path in (
        "/api/v3/clinic-contact/",
        "/api/v3/forms/{page_id}/submissions/",
        "/api/v3/ratings/{page_id}/votes/",
        "/api/v3/appointment-requests/",
        "/api/v3/navigation/",
    ):
        assert path in paths
    for write in ("/api/v3/forms/{page_id}/submissions/", "/api/v3/ratings/{page_id}/votes/"):
        assert "Origin" in paths[write]["post"]["responses"]["403"]["description"]


def test_a_front_ends_other_needs_work_in_the_host(client, article):
    """Every public path and the seo answer with the front end's canonical URL, in a bare host.

    (Search is tested in the site's suite: this host's test database is built without
    migrations, so it lacks the SQLite full-text table Wagtail's migrations make.)"""
    with override_settings(TREATMENT_PAGES_FRONTEND_BASE_URL="https://www.clinic.example"):
        paths = client.get("/api/v3/paths/")
        seo = client.get(f"/api/v3/seo/{article.pk}/")

    assert paths.status_code == 200
    assert article.url in [item["path"] for item in paths.json()["items"]]
    assert paths.json()["next"] is None
    assert seo.json()["canonical_url"] == "https://www.clinic.example" + article.url
    assert [block["@type"] for block in seo.json()["json_ld"]] == ["MedicalWebPage"]


def test_a_cross_site_vote_is_refused_with_a_problem_document_and_counts_nothing(client, article):
    refused = vote(client, article, HTTP_ORIGIN=EVIL)

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["title"] == "Origin not allowed"
    assert EVIL in refused.json()["detail"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize("origin", ["http://testserver", FRONT_END, None])
def test_votes_from_the_site_its_front_end_or_no_browser_reach_validation(client, settings, article, origin):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]
    headers = {"HTTP_ORIGIN": origin} if origin else {}

    invalid = vote(client, article, score=9, **headers)
    valid = vote(client, article, score=4, **headers)

    assert invalid.status_code == 422
    assert valid.status_code == 200
    assert valid.json()["count"] == 1
    assert {"private", "no-store"} <= {part.strip() for part in valid["Cache-Control"].split(",")}


def test_a_cross_site_appointment_request_is_refused_and_not_stored(client, form_page):
    refused = submit(client, form_page, ANSWERS, HTTP_ORIGIN=EVIL)

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["title"] == "Origin not allowed"
    assert not AppointmentSubmission.objects.exists()


@pytest.mark.parametrize("origin", ["http://testserver", None])
def test_same_origin_or_no_origin_requests_reach_the_forms_validation(client, form_page, origin):
    headers = {"HTTP_ORIGIN": origin} if origin else {}

    invalid = submit(client, form_page, {"full_name": "Ada Patient"}, **headers)
    valid = submit(client, form_page, ANSWERS, **headers)

    assert invalid.status_code == 422
    assert valid.status_code == 201
    assert AppointmentSubmission.objects.get().reference == valid.json()["reference"]


def test_a_voters_own_rating_is_never_stored_in_a_cache(client, article):
    token = vote(client, article).json()["voter_token"]

    response = client.get(f"/api/v3/ratings/{article.pk}/", HTTP_X_VOTER_TOKEN=token)

    assert response.status_code == 200
    assert response.json()["your_score"] == 4
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_the_pages_own_posts_from_another_site_are_refused_without_the_api(article, form_page):
    """The rating widget's vote checks where it comes from; the form page has Django's CSRF check."""
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(form_page.url).content.decode()
    token = re.search(r'name="form-token" value="([^"]+)"', html).group(1)
    cross_site = {"HTTP_ORIGIN": EVIL, "HTTP_SEC_FETCH_SITE": "cross-site"}

    vote = browser.post(f"/ratings/{article.pk}/vote/", {"score": 4}, **cross_site)
    request = browser.post(form_page.url, {**ANSWERS, "form-token": token}, **cross_site)

    assert vote.status_code == 403
    assert request.status_code == 403
    assert not Rating.objects.exists()
    assert not AppointmentSubmission.objects.exists()


def assert_typed_body(document):
    components = document["components"]["schemas"]
    body = components["TreatmentPageSchema"]["properties"]["body"]
    assert body["items"]["discriminator"]["propertyName"] == "type"
    step = components["PreventionStepBlockValue"]["properties"]
    assert step["sub_points"]["items"] == {"type": "string"}


def test_the_served_openapi_document_types_the_article_body_block_by_block(client):
    response = client.get("/api/v3/openapi.json")

    assert response.status_code == 200
    assert_typed_body(response.json())


def test_the_apps_own_contract_is_in_the_hosts_document(client):
    """The typed voter token header, the 429 headers, the typed form defaults and the webhook events."""
    document = client.get("/api/v3/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    summary = paths["/api/v3/ratings/{page_id}/"]["get"]
    voter = next(p for p in summary["parameters"] if p["name"] == "X-Voter-Token")
    assert (voter["in"], voter["schema"]["type"]) == ("header", "string")
    for path, method in (
        ("/api/v3/ratings/{page_id}/votes/", "post"),
        ("/api/v3/forms/{page_id}/submissions/", "post"),
    ):
        assert paths[path][method]["responses"]["429"]["headers"]["Retry-After"]["schema"] == {
            "type": "integer"
        }
    assert schemas["BooleanFormFieldDict"]["properties"]["default"]["type"] == "boolean"
    events = document["webhooks"]
    assert set(events) == set(EVENT_NAMES)  # every event an endpoint can subscribe to
    moved = events["page.moved"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert moved["properties"]["type"]["const"] == "page.moved"
    assert set(moved["properties"]["data"]["required"]) == {"id", "type", "title", "old_path", "new_path"}


def test_the_apps_field_errors_point_into_the_json_as_sent(client, article, form_page):
    refused_vote = vote(client, article, score="five")
    assert refused_vote.status_code == 422
    assert [error["loc"] for error in refused_vote.json()["errors"]] == [["body", "score"]]

    refused_request = submit(client, form_page, {"full_name": "", "email": ["not", "text"]})
    assert refused_request.status_code == 422
    locations = {tuple(error["loc"]) for error in refused_request.json()["errors"]}
    # The wrong type and the other field's error, in one answer.
    assert locations == {("body", "answers", "email"), ("body", "answers", "full_name")}


def run_on_apps_last_host(code):
    """Run ``code`` after ``django.setup()`` on a host listing the plugin apps after Wagtail's."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.apps.settings_apps_last"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_host_listing_the_apps_after_wagtails_is_told_how_to_get_the_typed_body():
    result = run_on_apps_last_host("from django.core.management import call_command; call_command('check')")

    assert result.returncode == 1
    assert (
        "(treatment_pages.E010) The v3 API serves treatment_pages.TreatmentPage.body as an untyped list"
        in (result.stderr)
    )
    assert 'List "treatment_pages" before "wagtail.images"' in result.stderr
