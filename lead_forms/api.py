"""v3 API endpoints (a django-ninja router) for appointment forms; mounted by the project.

A front end fetches a form's definition (with a signed time-trap token), renders it,
and posts the patient's answers as JSON. Posting goes through
``AppointmentFormPage.submit``: the same form class, validation, spam defence, rate
limit and save-first notification as the HTML page.
"""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema, Status
from wagtail.api.v3.errors import problem_response
from wagtail.rich_text import expand_db_html

from lead_forms.models import AppointmentFormPage
from lead_forms.serializers import FormFieldDict, field_definitions
from lead_forms.spam import HONEYPOT_FIELD, TIME_TRAP_FIELD

router = Router(tags=["forms"])

RETRY_AFTER_SECONDS = 60

AnswerValue = str | bool | int | float | list[str] | None
# Page ids are 32-bit in the database; anything larger can only be a 404.
PageId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class FormDefinitionSchema(Schema):
    """What a front end needs to render the form and submit it."""

    id: int
    title: str
    intro: str = Field(description="HTML, internal links resolved.")
    url: str | None = Field(description="The form's own page on the site.")
    fields: list[FormFieldDict]
    form_token: str = Field(
        description="Signed time-trap token: send it back unchanged as `form_token`. "
        "Answers sent within seconds of fetching it, or after a day, are treated as automated."
    )


class AppointmentRequestIn(Schema):
    """A patient's answers, keyed by the field `name`s of the form definition."""

    answers: dict[str, AnswerValue] = Field(
        description="`{field name: value}`; checkboxes take true/false, multiple choices a list of values."
    )
    form_token: str = Field("", max_length=500, description="The `form_token` of the form definition.")
    honeypot: str = Field(
        "",
        max_length=200,
        description="Render a visually hidden input people will not fill in and send its value here.",
    )


class AppointmentRequestAccepted(Schema):
    """The request is stored; the reference is what the patient quotes to the clinic."""

    reference: str
    thank_you_text: str = Field(description="HTML, the editors' thank-you text.")


def get_form_page(page_id):
    return get_object_or_404(AppointmentFormPage.objects.live().public(), pk=page_id)


@router.get(
    "/{page_id}/",
    response=FormDefinitionSchema,
    url_name="form_definition",
    operation_id="forms_detail",
    summary="An appointment form's fields and a time-trap token",
)
def form_definition(request, page_id: PageId):
    page = get_form_page(page_id)
    return {
        "id": page.pk,
        "title": page.title,
        "intro": expand_db_html(page.intro),
        "url": page.get_url(request),
        "fields": field_definitions(page),
        "form_token": page.issue_form_token(),
    }


def _form_errors(form):
    """Django form errors as RFC 7807 ``errors`` entries pointing at the JSON that caused them."""
    locations = {HONEYPOT_FIELD: ["body", "honeypot"], TIME_TRAP_FIELD: ["body", "form_token"]}
    errors = []
    for name, field_errors in form.errors.get_json_data().items():
        loc = locations.get(name) or (["body", "answers"] if name == "__all__" else ["body", "answers", name])
        errors.extend(
            {"type": error["code"] or "invalid", "loc": loc, "msg": error["message"]}
            for error in field_errors
        )
    return errors


def _form_data(payload):
    """The answers as the form reads a POST, plus the spam-defence fields under their form names."""
    data = {name: value for name, value in payload.answers.items() if value is not None}
    data.pop(HONEYPOT_FIELD, None)
    data[TIME_TRAP_FIELD] = payload.form_token
    data[HONEYPOT_FIELD] = payload.honeypot
    return data


@router.post(
    "/{page_id}/submissions/",
    response={201: AppointmentRequestAccepted},
    url_name="form_submit",
    operation_id="forms_submit",
    summary="Send an appointment request",
    openapi_extra={"responses": {429: {"description": "Too many requests from this client; retry later"}}},
)
def submit_appointment_request(request, page_id: PageId, payload: AppointmentRequestIn):
    page = get_form_page(page_id)
    outcome = page.submit(_form_data(payload), request)
    if outcome.rate_limited:
        response = problem_response(
            status=429,
            title="Too many requests",
            detail="Too many appointment requests from this connection. Please try again in a minute, "
            "or call the clinic.",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if not outcome.accepted:
        return problem_response(
            status=422,
            title="The appointment request has errors",
            detail="Correct the answers listed in `errors` and send the request again.",
            errors=_form_errors(outcome.form),
        )
    return Status(
        201,
        {"reference": outcome.submission.reference, "thank_you_text": expand_db_html(page.thank_you_text)},
    )
