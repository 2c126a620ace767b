"""Appointment requests through the v3 JSON API: same form, validation, spam defence and limits as the page."""

import json

import pytest
from django.core import mail

from lead_forms.models import AppointmentSubmission
from tests.lead_forms.conftest import VALID_DATA, post_form

pytestmark = pytest.mark.django_db

FRONT_END = "https://front.clinic.example"
JSON_ANSWERS = {**VALID_DATA, "receive_our_free_newsletter": True}


def definition(client, page, ip="203.0.113.9"):
    response = client.get(f"/api/v3/forms/{page.pk}/", REMOTE_ADDR=ip)
    assert response.status_code == 200
    return response.json()


def new_token(client, page, ip="203.0.113.9"):
    response = client.post(f"/api/v3/forms/{page.pk}/token/", REMOTE_ADDR=ip)
    assert response.status_code == 201
    return response.json()["form_token"]


def submit(client, page, ip, answers, form_token=None, honeypot="", **headers):
    if form_token is None:
        form_token = new_token(client, page, ip)
    body = {"answers": answers, "form_token": form_token, "honeypot": honeypot}
    return client.post(
        f"/api/v3/forms/{page.pk}/submissions/",
        json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=ip,
        **headers,
    )


def test_form_definition_lists_the_editors_fields_and_never_the_clinics_addresses(client, form_page):
    form_page.to_address = "coordinator-secret@riverside-clinic.example"
    form_page.from_address = "robot-secret@riverside-clinic.example"
    form_page.save_revision().publish()

    data = definition(client, form_page)

    assert [field["name"] for field in data["fields"]] == [
        "first_name",
        "last_name",
        "city",
        "state",
        "email",
        "phone",
        "please_contact_me_by",
        "receive_our_free_newsletter",
        "i_would_like_to",
        "your_comments",
    ]
    by_name = {field["name"]: field for field in data["fields"]}
    assert by_name["email"]["type"] == "email" and by_name["email"]["required"] is True
    assert by_name["phone"]["help_text"] == "Including the area code."
    assert by_name["please_contact_me_by"]["choices"] == [
        {"value": "Email", "label": "Email"},
        {"value": "Phone", "label": "Phone"},
    ]
    assert by_name["receive_our_free_newsletter"]["required"] is False
    assert data["time_trap"] == {"min_seconds": 0.0, "max_seconds": 86400.0}
    assert "form_token" not in data
    # Neither the v3 definition, the v3 page nor the v2 page (all fields) gives the addresses away.
    answers = [
        client.get(f"/api/v3/forms/{form_page.pk}/").content,
        client.get(f"/api/v3/pages/{form_page.pk}/").content,
        client.get(f"/api/v2/pages/{form_page.pk}/", {"fields": "*"}).content,
    ]
    for content in answers:
        assert b"secret@riverside-clinic.example" not in content
        assert b"to_address" not in content and b"from_address" not in content
    v2 = client.get(f"/api/v2/pages/{form_page.pk}/").json()
    assert [field["name"] for field in v2["form_fields"]] == list(by_name)


def test_json_request_is_stored_and_answered_201_with_its_reference(
    client, form_page, client_ip, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, form_page, client_ip, JSON_ANSWERS)

    assert response.status_code == 201
    submission = AppointmentSubmission.objects.get()
    assert response.json()["reference"] == submission.reference
    assert "Our patient coordinator will contact you" in response.json()["thank_you_text"]
    assert not submission.is_spam
    assert submission.form_data["first_name"] == "Zelda"
    assert submission.form_data["receive_our_free_newsletter"] is True
    assert submission.form_data["phone"] == "(217) 555-0199"  # formatted as on the page
    # Saved first, then the coordinator is told, with no patient data in the email.
    assert len(mail.outbox) == 1
    assert submission.reference in mail.outbox[0].body
    assert "Sensitive-comment-xyzzy" not in mail.outbox[0].body
    # The answer carries the reference only, never what the patient sent.
    assert b"Sensitive-comment-xyzzy" not in response.content


def test_invalid_request_answers_a_problem_document_with_each_fields_errors_and_stores_nothing(
    client, form_page, client_ip
):
    answers = {**JSON_ANSWERS, "last_name": "", "email": "zelda-at-example", "phone": "call me maybe"}

    response = submit(client, form_page, client_ip, answers)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"] == "The appointment request has errors"
    errors = {tuple(error["loc"]): error for error in problem["errors"]}
    assert set(errors) == {
        ("body", "answers", "last_name"),
        ("body", "answers", "email"),
        ("body", "answers", "phone"),
    }
    assert errors[("body", "answers", "email")]["msg"] == "Enter an email address like name@example.com"
    assert errors[("body", "answers", "last_name")]["type"] == "required"
    assert errors[("body", "answers", "last_name")]["msg"] == "Enter your last name"
    assert errors[("body", "answers", "phone")]["msg"].startswith("Enter a phone number using digits")
    assert not AppointmentSubmission.objects.exists()


def test_malformed_json_is_a_problem_document_too(client, form_page, client_ip):
    response = client.post(
        f"/api/v3/forms/{form_page.pk}/submissions/",
        '{"answers": "not an object"}',
        content_type="application/json",
        REMOTE_ADDR=client_ip,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "answers"]
    assert not AppointmentSubmission.objects.exists()


@pytest.mark.parametrize(
    ("honeypot", "form_token", "reason"),
    [
        ("http://cheap-pills.example", None, "Hidden anti-spam field was filled in"),
        ("", "", "Form token missing"),
        ("", "forged-token", "Form token invalid or forged"),
    ],
)
def test_spam_is_flagged_and_kept_without_notifying_as_on_the_page(
    client, form_page, client_ip, django_capture_on_commit_callbacks, honeypot, form_token, reason
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client, form_page, client_ip, JSON_ANSWERS, form_token=form_token, honeypot=honeypot
        )

    # Like the page: the sender sees a normal thank-you, staff see the flag.
    assert response.status_code == 201
    submission = AppointmentSubmission.objects.get()
    assert submission.is_spam
    assert submission.spam_reason == reason
    assert mail.outbox == []


def test_too_fast_submission_is_flagged_like_on_the_page(client, settings, form_page, client_ip):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 30

    assert submit(client, form_page, client_ip, JSON_ANSWERS).status_code == 201

    assert AppointmentSubmission.objects.get().spam_reason == "Sent too soon after the form was shown"


def test_rate_limit_is_shared_with_the_html_form(client, csrf_client, form_page, make_client_ip):
    client_ip = make_client_ip()
    for n in range(5):
        # Other answers each time (the same answers again are the same request), each with a
        # fresh token (submit fetches one): a token is spent by the request it sends.
        answers = {**JSON_ANSWERS, "your_comments": f"Request number {n}"}
        assert submit(client, form_page, client_ip, answers).status_code == 201

    refused = submit(client, form_page, client_ip, JSON_ANSWERS)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused["Content-Type"] == "application/problem+json"
    assert AppointmentSubmission.objects.count() == 5
    # The same client is over the limit on the page too: one budget per client.
    assert post_form(csrf_client, form_page, client_ip, VALID_DATA).status_code == 429
    # Others are not.
    assert submit(client, form_page, make_client_ip(), {**JSON_ANSWERS, "city": "Salem"}).status_code == 201


def test_requests_from_other_sites_are_refused_and_not_stored(client, settings, form_page, client_ip):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]

    refused = submit(client, form_page, client_ip, JSON_ANSWERS, HTTP_ORIGIN="https://evil.example")
    allowed = submit(client, form_page, client_ip, JSON_ANSWERS, HTTP_ORIGIN=FRONT_END)

    assert refused.status_code == 403
    assert allowed.status_code == 201
    assert allowed["Access-Control-Allow-Origin"] == FRONT_END
    assert AppointmentSubmission.objects.count() == 1


def test_unknown_draft_or_other_pages_are_not_forms(client, form_page, mesotherapy, client_ip):
    form_page.unpublish()

    assert client.get(f"/api/v3/forms/{form_page.pk}/").status_code == 404
    assert client.get(f"/api/v3/forms/{mesotherapy.pk}/").status_code == 404
    assert submit(client, mesotherapy, client_ip, JSON_ANSWERS, form_token="x").status_code == 404


def cache_directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_form_definition_is_public_and_holds_nothing_per_patient(client, settings, form_page):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 3

    first = client.get(f"/api/v3/forms/{form_page.pk}/")
    second = client.get(f"/api/v3/forms/{form_page.pk}/")

    assert (first.status_code, second.status_code) == (200, 200)
    # The same bytes for everyone: a shared cache may keep it, and hands no patient a token.
    assert first.content == second.content
    assert b"form_token" not in first.content
    assert first.json()["time_trap"] == {"min_seconds": 3.0, "max_seconds": 86400.0}


def test_each_token_request_gets_its_own_token_answered_private_and_no_store(client, settings, form_page):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 3

    first = client.post(f"/api/v3/forms/{form_page.pk}/token/")
    second = client.post(f"/api/v3/forms/{form_page.pk}/token/")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["form_token"] != second.json()["form_token"]
    assert {"private", "no-store"} <= cache_directives(first)
    assert "public" not in cache_directives(first)
    assert first.json()["wait_seconds"] == 3.0
    assert first.json()["expires_in_seconds"] == 86400.0
    assert (
        client.post(f"/api/v3/forms/{form_page.pk}/token/", HTTP_ORIGIN="https://evil.example").status_code
        == 403
    )


def test_token_sent_after_its_wait_is_stored_as_not_spam(client, settings, form_page, client_ip, monkeypatch):
    """The production minimum: the token says how long to wait, and waiting that long is enough."""
    import time

    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 3
    issued = client.post(f"/api/v3/forms/{form_page.pk}/token/").json()
    real_time = time.time
    # Sent exactly `wait_seconds` later (a clock moved on rather than a test that sleeps).
    monkeypatch.setattr(time, "time", lambda: real_time() + issued["wait_seconds"])

    response = submit(client, form_page, client_ip, JSON_ANSWERS, form_token=issued["form_token"])

    assert response.status_code == 201
    assert AppointmentSubmission.objects.get().is_spam is False


def test_token_of_another_form_or_a_page_that_is_no_form_is_refused(client, form_page, mesotherapy):
    assert client.post(f"/api/v3/forms/{mesotherapy.pk}/token/").status_code == 404
    form_page.unpublish()
    assert client.post(f"/api/v3/forms/{form_page.pk}/token/").status_code == 404
