"""No API endpoint gives a patient's answers to anyone but authorised staff, nor a reader's voter key to anyone.

Crawls every GET operation of the v3 schema and every v2 endpoint, anonymously and
with a bearer token whose user lacks the permission, looking for the secrets.
"""

import json
import re

import pytest
from django.test import Client
from wagtail.models import Page

from lead_forms.models import AppointmentFormPage, AppointmentSubmission
from tests.factories import UserFactory, api_token_for
from treatment_pages.models import Rating, TreatmentPage

SECRET_COMMENT = "Private-knee-history-qx81"
SECRET_EMAIL = "zelda.secret.qx81@example.org"


@pytest.fixture
def secrets_stored(demo_site, client):
    page = AppointmentFormPage.objects.get()
    token = client.post(f"/api/v3/forms/{page.pk}/token/").json()["form_token"]
    answers = {
        "first_name": "Zelda",
        "last_name": "Quillfeather",
        "city": "Marblehead",
        "state": "Vermont",
        "email": SECRET_EMAIL,
        "phone": "(217) 555-0199",
        "your_comments": SECRET_COMMENT,
    }
    response = client.post(
        f"/api/v3/forms/{page.pk}/submissions/",
        json.dumps({"answers": answers, "form_token": token}),
        content_type="application/json",
        REMOTE_ADDR="192.0.2.77",
    )
    assert response.status_code == 201
    submission = AppointmentSubmission.objects.get()
    article = TreatmentPage.objects.get(slug="mesotherapy")
    vote = client.post(
        f"/api/v3/ratings/{article.pk}/votes/",
        json.dumps({"score": 4}),
        content_type="application/json",
        REMOTE_ADDR="192.0.2.78",
    )
    assert vote.status_code == 200
    rating = Rating.objects.get()
    return [SECRET_COMMENT, SECRET_EMAIL, submission.reference, rating.voter_key, vote.json()["voter_token"]]


def v3_get_urls(client):
    """Every documented GET path with its ids filled in from what exists."""
    schema = client.get("/api/v3/openapi.json").json()
    ids = {
        "page_id": list(Page.objects.values_list("pk", flat=True)),
        "pk": [1],
        "image_id": [1],
        "document_id": [1],
        "site_id": [1],
        "redirect_id": [1],
        "revision_id": [1],
        "submission_id": list(AppointmentSubmission.objects.values_list("pk", flat=True)),
        "type_name": ["lead_forms.AppointmentFormPage"],
        "type": ["none"],
    }
    urls = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        expanded = [path]
        for name in re.findall(r"{(\w+)}", path):
            expanded = [
                url.replace(f"{{{name}}}", str(value)) for url in expanded for value in ids.get(name, [1])
            ]
        urls += expanded
    return urls


def v2_get_urls():
    urls = ["/api/v2/pages/?fields=*", "/api/v2/images/?fields=*", "/api/v2/documents/?fields=*"]
    urls += [f"/api/v2/pages/{pk}/?fields=*" for pk in Page.objects.values_list("pk", flat=True)]
    return urls


@pytest.mark.django_db
def test_no_endpoint_returns_submission_data_or_voter_keys_to_the_public_or_to_staff_without_the_permission(
    client, secrets_stored
):
    _token, key = api_token_for(UserFactory(username="editor-no-patient-data", is_staff=True))
    clients = {"anonymous": Client(), "token without permission": Client(HTTP_AUTHORIZATION=f"Bearer {key}")}
    urls = v3_get_urls(client) + v2_get_urls()
    assert len(urls) > 20

    for who, crawler in clients.items():
        statuses = {}
        for url in urls:
            response = crawler.get(url)
            statuses[url] = response.status_code
            assert response.status_code < 500, (who, url)
            for secret in secrets_stored:
                assert secret.encode() not in response.content, (who, url, secret)
        # The crawl really read content: pages and forms answered.
        assert sum(status == 200 for status in statuses.values()) > 10, statuses
