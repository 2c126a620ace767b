"""Answers of the wrong JSON type, or holding text that is not text, are a 422 naming the field.

Before: ``"first_name": ["a", "b"]`` was stored as the text ``['a', 'b']``, ``true`` as
``True``, and a lone surrogate (``"\\ud800"``) failed the save with a 500.
"""

import json

import pytest

from lead_forms.models import AppointmentFormField, AppointmentSubmission
from tests.lead_forms.test_api import JSON_ANSWERS, definition, new_token, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_with_choices(form_page):
    """The demo form plus a "several choices" field."""
    AppointmentFormField.objects.create(
        page=form_page,
        sort_order=20,
        label="Preferred days",
        field_type="checkboxes",
        choices="Monday\nTuesday\nWednesday",
        required=False,
    )
    return form_page


def errors_by_location(response):
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {tuple(error["loc"]): error for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("first_name", ["a", "b"], "This field takes text (a JSON string), not a list."),
        ("first_name", True, "This field takes text (a JSON string), not a boolean."),
        ("first_name", 42, "This field takes text (a JSON string), not a number."),
        ("first_name", {"given": "Zelda"}, "This field takes text (a JSON string), not an object."),
        ("email", ["zelda@example.org"], "This field takes text (a JSON string), not a list."),
        ("please_contact_me_by", ["Phone"], "This field takes text (a JSON string), not a list."),
        ("receive_our_free_newsletter", "yes", "This field takes true or false, not text."),
        ("receive_our_free_newsletter", 1, "This field takes true or false, not a number."),
        (
            "preferred_days",
            "Monday",
            "This field takes a list of the chosen values (a JSON array of strings), not text.",
        ),
        (
            "preferred_days",
            ["Monday", 2],
            "This field takes a list of the chosen values (a JSON array of strings), not a list.",
        ),
    ],
)
def test_an_answer_of_the_wrong_type_is_refused_naming_the_field_and_its_type(
    client, form_with_choices, client_ip, name, value, expected
):
    response = submit(client, form_with_choices, client_ip, {**JSON_ANSWERS, name: value})

    errors = errors_by_location(response)
    assert set(errors) == {("body", "answers", name)}
    assert errors[("body", "answers", name)]["type"] == "wrong_type"
    assert errors[("body", "answers", name)]["msg"] == expected
    assert not AppointmentSubmission.objects.exists()


def test_answers_of_the_right_types_are_stored_as_they_were_meant(client, form_with_choices, client_ip):
    answers = {
        **JSON_ANSWERS,
        "receive_our_free_newsletter": False,
        "preferred_days": ["Monday", "Wednesday"],
    }

    response = submit(client, form_with_choices, client_ip, answers)

    assert response.status_code == 201
    data = AppointmentSubmission.objects.get().form_data
    assert data["first_name"] == "Zelda"
    assert data["receive_our_free_newsletter"] is False
    assert data["preferred_days"] == ["Monday", "Wednesday"]


def test_form_definition_says_what_type_each_answer_takes(client, form_with_choices):
    fields = {field["name"]: field for field in definition(client, form_with_choices)["fields"]}

    assert fields["first_name"]["answer_type"] == "string"
    assert fields["please_contact_me_by"]["answer_type"] == "string"
    assert fields["receive_our_free_newsletter"]["answer_type"] == "boolean"
    assert fields["preferred_days"]["answer_type"] == "array"


def test_openapi_schema_documents_the_answer_types_per_field_type(client, db):
    schema = client.get("/api/v3/openapi.json").json()
    request_schema = schema["components"]["schemas"]["AppointmentRequestIn"]
    answers = request_schema["properties"]["answers"]

    value_types = answers["additionalProperties"]["anyOf"]
    assert {"type": "array", "items": {"type": "string"}} in value_types
    assert {"type": "object"} not in value_types
    assert "`boolean` (checkbox)" in answers["description"]
    assert "`array` (checkboxes, multiple select)" in answers["description"]
    assert "`string` (text, email" in answers["description"]
    fields = schema["components"]["schemas"]["FormDefinitionSchema"]["properties"]["fields"]["items"]
    assert fields["discriminator"]["propertyName"] == "answer_type"
    schemas = schema["components"]["schemas"]
    defaults = {
        answer_type: schemas[ref.rsplit("/", 1)[1]]["properties"]["default"]
        for answer_type, ref in fields["discriminator"]["mapping"].items()
    }
    assert defaults["boolean"]["type"] == "boolean"
    assert defaults["array"]["type"] == "array"


def test_a_front_end_prefilling_from_the_defaults_sends_a_valid_request(client, form_with_choices, client_ip):
    form_with_choices.form_fields.filter(clean_name="receive_our_free_newsletter").update(default_value="on")
    fields = definition(client, form_with_choices)["fields"]
    defaults = {field["name"]: field["default"] for field in fields}
    assert defaults["receive_our_free_newsletter"] is True
    assert defaults["preferred_days"] == []

    # Pre-filled from the definition, the patient fills in only what the defaults leave empty.
    answers = {name: value for name, value in defaults.items() if value not in (None, "")}
    answers.update({name: value for name, value in JSON_ANSWERS.items() if name not in answers})
    response = submit(client, form_with_choices, client_ip, answers)

    assert response.status_code == 201, response.content
    assert AppointmentSubmission.objects.get().form_data["receive_our_free_newsletter"] is True


def test_a_wrong_type_does_not_hide_the_other_field_errors(client, form_with_choices, client_ip):
    answers = {**JSON_ANSWERS, "first_name": ["Zel", "da"], "email": "zelda-at-example", "last_name": ""}

    errors = errors_by_location(submit(client, form_with_choices, client_ip, answers))

    assert errors[("body", "answers", "first_name")]["type"] == "wrong_type"
    assert errors[("body", "answers", "email")]["type"] == "invalid"
    assert errors[("body", "answers", "last_name")]["type"] == "required"
    assert len(errors) == 3  # and nothing about first_name's emptiness: its type is the problem
    assert not AppointmentSubmission.objects.exists()


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"answers": {**JSON_ANSWERS, "first_name": "Zel\ud800da"}}, ("body", "answers", "first_name")),
        ({"answers": {**JSON_ANSWERS, "your_comments": "\udfff"}}, ("body", "answers", "your_comments")),
        (
            {"answers": {**JSON_ANSWERS, "please_contact_me_by": "\ud800"}},
            ("body", "answers", "please_contact_me_by"),
        ),
        ({"answers": {**JSON_ANSWERS, "preferred_days": ["\ud800"]}}, ("body", "answers", "preferred_days")),
        ({"answers": {**JSON_ANSWERS, "\ud800": "x"}}, ("body", "answers")),
        ({"answers": JSON_ANSWERS, "honeypot": "\ud800"}, ("body", "honeypot")),
        ({"answers": JSON_ANSWERS, "form_token": "\ud800"}, ("body", "form_token")),
    ],
)
def test_a_lone_surrogate_is_a_422_naming_the_field_not_a_server_error(
    client, form_with_choices, client_ip, body, location
):
    body = {"form_token": new_token(client, form_with_choices, client_ip), **body}

    response = client.post(
        f"/api/v3/forms/{form_with_choices.pk}/submissions/",
        json.dumps(body),  # ensure_ascii: the surrogate travels as the escape \ud800
        content_type="application/json",
        REMOTE_ADDR=client_ip,
    )

    errors = errors_by_location(response)
    assert set(errors) == {location}
    # Ours for answers; Pydantic's own for the plain string fields.
    assert errors[location]["type"] in {"invalid_character", "string_unicode"}
    assert not AppointmentSubmission.objects.exists()


def test_the_form_itself_refuses_a_lone_surrogate_in_text(form_page, rf, client_ip):
    """The submission pipeline refuses what it could not store, whoever calls it."""
    from tests.lead_forms.conftest import VALID_DATA

    outcome = form_page.submit(
        {**VALID_DATA, "city": "Marble\ud800head"}, rf.post("/", REMOTE_ADDR=client_ip)
    )

    assert not outcome.accepted
    assert outcome.form.errors.as_data()["city"][0].code == "invalid_character"
