"""v3 API endpoints (django-ninja routers) for appointment forms.

``register(api)`` adds them to Wagtail's v3 API (``LeadFormsConfig.ready`` does, as
Wagtail's own apps add theirs), so a host that mounts ``wagtail.api.v3.urls.api``
serves ``/forms/`` and ``/appointment-requests/``.

``router`` (public): a front end fetches a form's definition (the same for everyone,
so any cache may keep it), asks for a signed time-trap token when it shows the form
(one per patient, answered ``private, no-store``), and posts the patient's answers as
JSON. Posting goes through
``AppointmentFormPage.submit``: the same form class, validation, spam defence, rate
limit and save-first notification as the HTML page.

``staff_router`` (bearer token + the patient-data permission): staff tooling lists,
fetches and exports requests with the inbox's own scoping, filters, export and audit.
"""

import datetime
import re
from typing import Annotated, Any, Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.pagination import paginate
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from wagtail.api.v3 import auth as wagtail_auth
from wagtail.api.v3.errors import problem_response
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination
from wagtail.models import APIToken, Page
from wagtail.rich_text import expand_db_html

from lead_forms.api import tokens as api_tokens
from lead_forms.api.policy import ORIGIN_REFUSED_DESCRIPTION, api_request_policy
from lead_forms.inbox import audit, deletion, export
from lead_forms.inbox.permissions import (
    forms_for_user,
    get_submission_for_user,
    submissions_for_user,
    user_can_view_requests,
)
from lead_forms.models import AppointmentFormPage, AppointmentSubmission
from lead_forms.submissions.phones import display_phone
from lead_forms.submissions.serializers import (
    ANSWER_BOOLEAN,
    ANSWER_LIST,
    ANSWER_NUMBER,
    ANSWER_TEXT,
    ANSWER_TYPE_DESCRIPTIONS,
    FormFieldDict,
    answer_type_for,
    field_definitions,
)
from lead_forms.submissions.spam import HONEYPOT_FIELD, TIME_TRAP_FIELD, max_seconds, min_seconds

router = Router(tags=["forms"])
# Anonymous requests only from the site's own pages and its front ends (lead_forms.api.policy).
router.add_decorator(api_request_policy, mode="view")

RETRY_AFTER_SECONDS = 60
# How the OpenAPI document declares the header every 429 of this app carries.
RETRY_AFTER_HEADER = {
    "required": True,
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer"},
}

# Any JSON value gets through parsing, so that an answer of the wrong type is refused by
# _answer_errors() with a message naming the field and the type it takes; the schema
# documents the types that can be right.
AnswerValue = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "null"},
            ]
        }
    ),
]
ANSWERS_DESCRIPTION = (
    "`{field name: value}`, keyed by the `name`s of the form definition. Each field's "
    "`answer_type` says what its value must be:\n\n"
    "- `string` (text, email, phone, URL, date, date and time, dropdown, radio buttons, hidden): "
    + ANSWER_TYPE_DESCRIPTIONS[ANSWER_TEXT]
    + ";\n- `number` (number): "
    + ANSWER_TYPE_DESCRIPTIONS[ANSWER_NUMBER]
    + ";\n- `boolean` (checkbox): "
    + ANSWER_TYPE_DESCRIPTIONS[ANSWER_BOOLEAN]
    + ";\n- `array` (checkboxes, multiple select): "
    + ANSWER_TYPE_DESCRIPTIONS[ANSWER_LIST]
    + ".\n\n`null` or a missing name leaves the field unanswered. Any other JSON type, or text "
    "holding an unpaired UTF-16 surrogate (`\\ud800`), is refused (422) naming the field."
)
# Ids are 32-bit in the database; anything larger can only be a 404.
MAX_ID = 2**31 - 1
PageId = Annotated[int, Path(ge=1, le=MAX_ID)]


class TimeTrapSchema(Schema):
    """When a form token may be sent: people take seconds to fill in a form, bots do not."""

    min_seconds: float = Field(
        description="Answers sent sooner than this after the token was issued are stored as suspected spam."
    )
    max_seconds: float = Field(
        description="Answers sent later than this after the token was issued are stored as suspected spam."
    )


class FormDefinitionSchema(Schema):
    """What a front end needs to render the form: the same for every patient, so cacheable.

    It carries no token: a token is per patient and single use, so it comes from
    ``POST /api/v3/forms/{page_id}/token/`` (answered ``private, no-store``).
    """

    id: int
    title: str
    intro: str = Field(description="HTML, internal links resolved.")
    url: str | None = Field(description="The form's own page on the site.")
    fields: list[FormFieldDict]
    time_trap: TimeTrapSchema


class FormTokenSchema(Schema):
    """One patient's signed time-trap token: never share it between patients, never cache it."""

    form_token: str = Field(
        description="Send it back unchanged as `form_token` with this patient's answers, once. "
        "Sent again with other answers it marks the request as suspected spam."
    )
    wait_seconds: float = Field(
        description="Send the answers no sooner than this many seconds from now (a person takes that long "
        "to fill the form in); sooner, the request is stored as suspected spam."
    )
    expires_in_seconds: float = Field(
        description="Send the answers within this many seconds from now; later, fetch a new token."
    )


class AppointmentRequestIn(Schema):
    """A patient's answers, keyed by the field `name`s of the form definition."""

    answers: dict[str, AnswerValue] = Field(description=ANSWERS_DESCRIPTION)
    form_token: str = Field(
        "", max_length=500, description="The `form_token` from `POST /api/v3/forms/{page_id}/token/`."
    )
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


def _time_trap():
    return {"min_seconds": min_seconds(), "max_seconds": max_seconds()}


@router.get(
    "/{page_id}/",
    response=FormDefinitionSchema,
    url_name="form_definition",
    operation_id="forms_detail",
    summary="An appointment form's fields (the same for every patient: cacheable)",
)
def form_definition(request, page_id: PageId):
    page = get_form_page(page_id)
    return {
        "id": page.pk,
        "title": page.title,
        "intro": expand_db_html(page.intro),
        "url": page.get_url(request),
        "fields": field_definitions(page),
        "time_trap": _time_trap(),
    }


@router.post(
    "/{page_id}/token/",
    response={201: FormTokenSchema},
    url_name="form_token",
    operation_id="forms_token",
    summary="A time-trap token for one patient's request (private, never cached)",
    description="Ask for it when the form is shown to a patient, and send it with that patient's answers "
    "after `wait_seconds`. A POST, so that no cache, shared or not, ever hands one patient's token to "
    "another: a token is single use, and a reused one marks the request as suspected spam.",
    openapi_extra={"responses": {403: {"description": ORIGIN_REFUSED_DESCRIPTION}}},
)
def form_token(request, page_id: PageId, response: HttpResponse):
    page = get_form_page(page_id)
    # The same token the HTML form embeds (AppointmentFormPage.issue_form_token): same
    # signature, time trap and single use.
    token = page.issue_form_token()
    patch_cache_control(response, private=True, no_store=True)
    trap = _time_trap()
    return Status(
        201,
        {
            "form_token": token,
            "wait_seconds": trap["min_seconds"],
            "expires_in_seconds": trap["max_seconds"],
        },
    )


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


def _has_lone_surrogate(text):
    # JSON may escape one ("\\ud800"); it is not text, cannot be stored, nor echoed in an answer.
    return any("\ud800" <= char <= "\udfff" for char in text)


INVALID_CHARACTER_MESSAGE = (
    "Remove the invalid character (an unpaired UTF-16 surrogate such as \\ud800) from this value."
)


def _json_type(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _answer_matches(answer_type, value):
    if answer_type == ANSWER_BOOLEAN:
        return isinstance(value, bool)
    if answer_type == ANSWER_LIST:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if answer_type == ANSWER_NUMBER:
        return isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool))
    return isinstance(value, str)


def _strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings_in(item)


def _answer_errors(page, payload):
    """RFC 7807 ``errors`` for values the form cannot take as they are; empty when there are none.

    A JSON answer must have the type its field takes (``answer_type``): otherwise a
    list or ``true`` sent for a name would be stored as the text ``['a', 'b']`` or
    ``True``. And no string may hold a lone surrogate. Names the form does not have are
    ignored, as the page's own form ignores them.
    """
    # (``form_token`` and ``honeypot`` are typed ``str``: Pydantic refuses a surrogate in them itself.)
    errors = []
    answer_types = {field.clean_name: answer_type_for(field.field_type) for field in page.get_form_fields()}
    for name, value in payload.answers.items():
        if _has_lone_surrogate(name):
            errors.append(
                {
                    "type": "invalid_character",
                    "loc": ["body", "answers"],
                    "msg": "A field name holds an invalid character (an unpaired UTF-16 surrogate "
                    "such as \\ud800): use the names of the form definition.",
                }
            )
            continue
        loc = ["body", "answers", name]
        if any(_has_lone_surrogate(text) for text in _strings_in(value)):
            errors.append({"type": "invalid_character", "loc": loc, "msg": INVALID_CHARACTER_MESSAGE})
            continue
        answer_type = answer_types.get(name)
        if answer_type is None or value is None or _answer_matches(answer_type, value):
            continue
        errors.append(
            {
                "type": "wrong_type",
                "loc": loc,
                "msg": f"This field takes {ANSWER_TYPE_DESCRIPTIONS[answer_type]}, not {_json_type(value)}.",
            }
        )
    return errors


def _other_field_errors(page, payload, answer_errors, request):
    """The form's errors for the answers ``answer_errors`` (of ``_answer_errors``) does not name.

    The answers it names are left out of the form (a list where text goes would be read
    as its ``repr``), and so is any error the form gives them (their "required").
    Validation only: nothing is counted, spent or stored.
    """
    refused = {error["loc"][2] for error in answer_errors if len(error["loc"]) > 2}
    data = {name: value for name, value in _form_data(payload).items() if name not in refused}
    form = page.get_form(data, page=page, user=getattr(request, "user", None))
    form.is_valid()
    return [error for error in _form_errors(form) if not set(error["loc"][2:3]) & refused]


def _form_data(payload):
    """The answers as the form reads a POST, plus the spam-defence fields under their form names."""
    data = {name: value for name, value in payload.answers.items() if value is not None}
    data.pop(HONEYPOT_FIELD, None)
    data[TIME_TRAP_FIELD] = payload.form_token
    data[HONEYPOT_FIELD] = payload.honeypot
    return data


@router.post(
    "/{page_id}/submissions/",
    response={200: AppointmentRequestAccepted, 201: AppointmentRequestAccepted},
    url_name="form_submit",
    operation_id="forms_submit",
    summary="Send an appointment request",
    description="201: stored. 200: the same `form_token` was already sent with the same answers "
    "(a retry or double click): nothing new is stored and the first request's reference is returned. "
    "A token sent again with other answers is stored as suspected spam.",
    openapi_extra={
        "responses": {
            403: {"description": ORIGIN_REFUSED_DESCRIPTION},
            413: {"description": "The request body is larger than the server accepts"},
            429: {
                "description": "Too many requests from this client; retry after `Retry-After` seconds",
                "headers": {"Retry-After": RETRY_AFTER_HEADER},
            },
        }
    },
)
def submit_appointment_request(request, page_id: PageId, payload: AppointmentRequestIn):
    page = get_form_page(page_id)
    if errors := _answer_errors(page, payload):
        # Refused before the pipeline, like a body that is not JSON: nothing is counted or stored.
        # The other answers are validated too, so the patient corrects everything at once.
        return problem_response(
            status=422,
            title="The appointment request has errors",
            detail="Correct the answers listed in `errors` and send the request again.",
            errors=errors + _other_field_errors(page, payload, errors, request),
        )
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
        200 if outcome.repeat_of else 201,
        {"reference": outcome.reference, "thank_you_text": expand_db_html(page.thank_you_text)},
    )


# --- Staff tooling: appointment requests -----------------------------------------------------


# Patient data: a Wagtail 8 bearer token (``python manage.py api_tokens create``) whose
# user holds the "view appointment requests" permission. Scoping, filters, search,
# answers, export and audit are the inbox's own (lead_forms.inbox.permissions, .export,
# .views, .audit); every call is logged like the admin's.
class BearerTokenAuth(wagtail_auth.BearerTokenAuth):
    """Wagtail's bearer tokens, refused (401) once expired (``lead_forms.api.tokens``).

    The expiry is checked before Wagtail's own lookup records the use, so presenting an
    expired token does not move its idle limit on. The class keeps Wagtail's name because
    django-ninja names OpenAPI security schemes after the class: clients see the one
    bearer scheme the other v3 endpoints use.
    """

    def authenticate(self, request, token):
        api_token = APIToken.objects.filter(
            key_hash__in=APIToken.candidate_key_hashes(token), revoked_at__isnull=True
        ).first()
        if api_token is not None and api_tokens.is_expired(api_token):
            request.user = AnonymousUser()
            raise AuthenticationError(
                401,
                "This API token has expired (tokens that read appointment requests last "
                f"{api_tokens.describe_limits()}). Ask an administrator for a new one.",
            )
        return super().authenticate(request, token)


staff_router = Router(tags=["appointment-requests"], auth=BearerTokenAuth())
# Patient data: never in a shared or browser cache.
staff_router.add_decorator(api_request_policy, mode="view")

# The largest OFFSET and LIMIT SQL databases take (a signed 64-bit integer): past it SQLite and
# PostgreSQL raise, so a larger value is refused (422) instead of answering 500.
SQL_BIGINT_MAX = 2**63 - 1


class StaffPagination(WagtailLimitOffsetPagination):
    """Wagtail's limit/offset pagination, with ``offset`` and ``limit`` bounded to what SQL takes.

    (``limit`` above ``WAGTAILAPI_LIMIT_MAX`` is still Wagtail's 400; the bound matters when a
    host sets it to None.)
    """

    class Input(WagtailLimitOffsetPagination.Input):
        limit: int = Field(default=20, ge=1, le=SQL_BIGINT_MAX)
        offset: int = Field(default=0, ge=0, le=SQL_BIGINT_MAX)


SpamChoice = Literal["exclude", "include", "only"]
StatusChoice = Literal[tuple(AppointmentSubmission.Status.values)]
IdValue = Annotated[int, Field(ge=1, le=MAX_ID)]


def _iso_date_only(value):
    """Only ``YYYY-MM-DD``: pydantic would otherwise read ``0`` as a Unix time (1 January 1970)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Enter a date as YYYY-MM-DD, e.g. 2026-03-31.")
    return value


# Within export.FIRST_DAY..LAST_DAY, or a 422 saying so (9999-12-31 would overflow the day's end).
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date_only), AfterValidator(export.check_filter_date)]


class RequestFilters(Schema):
    """The inbox's filters."""

    form: IdValue | None = Field(None, description="Only requests sent through this form page.")
    since: IsoDate | None = Field(None, description="Received on or after this day (site time zone).")
    until: IsoDate | None = Field(None, description="Received on or before this day (site time zone).")
    status: StatusChoice | None = None
    spam: SpamChoice = Field("exclude", description="Suspected spam is hidden unless asked for.")
    q: str = Field(
        "",
        max_length=200,
        description="Search by reference (with or without AR-), a whole word of the name, the full email, "
        "the full phone number in any format or its last four digits (patient data is encrypted: nothing "
        "else is searchable).",
    )


class FormPageRef(Schema):
    id: int
    title: str


class AnswerSchema(Schema):
    name: str
    label: str
    value: str


class AppointmentRequestSchema(Schema):
    """One request, every answer labelled and ordered as in its form."""

    id: int
    reference: str
    form: FormPageRef
    received: datetime.datetime
    status: str
    status_label: str
    is_spam: bool
    spam_reason: str
    name: str
    email: str
    phone: str
    contact_method: str
    answers: list[AnswerSchema]

    @staticmethod
    def resolve_form(obj):
        return {"id": obj.page_id, "title": obj.page.title}

    @staticmethod
    def resolve_received(obj):
        return obj.submit_time

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_phone(obj):
        # As people read it; requests stored before phones were formatted on arrival hold bare digits.
        return display_phone(obj.phone)

    @staticmethod
    def resolve_answers(obj, context):
        # A page of requests mostly shares a form or two: read each form's fields once.
        request = context["request"]
        cache = request.__dict__.setdefault("_lead_forms_api_form_fields", {})
        if obj.page_id not in cache:
            cache[obj.page_id] = list(obj.page.specific.get_form_fields())
        return [
            {"name": name, "label": label, "value": value}
            for name, label, value in obj.answers(form_fields=cache[obj.page_id])
        ]


def _require_permission(request):
    # BearerTokenAuth already refused missing, unknown, revoked and expired tokens and inactive users (401).
    if not user_can_view_requests(request.user):
        raise PermissionDenied("This token's user may not read appointment requests.")


def _filtered_requests(request, filters):
    """(queryset, form page or None) for the user and ``filters``; a form they may not read is a 404."""
    user = request.user
    page = None
    if filters.form is not None:
        page = forms_for_user(user).filter(pk=filters.form).first()
        if page is None:
            raise Http404("No appointment form with this id.")
    spam = None if filters.spam == "exclude" else filters.spam
    queryset = export.filter_requests(
        submissions_for_user(user),
        page=page,
        since=filters.since,
        until=filters.until,
        status=filters.status,
        spam=spam,
    )
    return queryset.search(filters.q), page


def _audit_filters(filters):
    return {
        "form": filters.form,
        "since": filters.since,
        "until": filters.until,
        "status": filters.status,
        "spam": filters.spam,
        "q": filters.q,  # free text: audit.safe_filters records only that it was set
    }


@staff_router.get(
    "/",
    response=list[AppointmentRequestSchema],
    url_name="appointment_requests",
    operation_id="appointment_requests_list",
    summary="Appointment requests, newest first, filtered like the inbox",
)
@paginate(StaffPagination)
def list_requests(request, filters: Query[RequestFilters], **kwargs):
    _require_permission(request)
    queryset, page = _filtered_requests(request, filters)
    audit.log_inbox_view(request.user, request=request, page=page, filters=_audit_filters(filters))
    return queryset.select_related("page").order_by("-submit_time", "-pk")


@staff_router.get(
    "/export/",
    response={200: None},
    url_name="appointment_requests_export",
    operation_id="appointment_requests_export",
    summary="The filtered requests as a streamed CSV (UTF-8 with BOM) or an XLSX workbook",
    openapi_extra={
        "responses": {
            200: {
                "description": "One column per form field, labelled and ordered as in the form; "
                "cells a spreadsheet would run as formulas start with an apostrophe.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    export.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export_requests(request, filters: Query[RequestFilters], format: Literal["csv", "xlsx"] = "csv"):
    _require_permission(request)
    queryset, page = _filtered_requests(request, filters)
    # An XLSX is built whole before it is sent: the inbox's size limit applies here too.
    too_many = export.xlsx_too_large(queryset) if format == "xlsx" else None
    if too_many:
        return problem_response(
            status=422,
            title="Too many requests for an XLSX export",
            detail=export.xlsx_too_large_message(too_many),
            errors=[{"type": "too_many_rows", "loc": ["query", "format"], "msg": "Use format=csv."}],
        )
    columns = export.export_columns([page] if page else export.pages_for(queryset), with_page=page is None)
    user, audit_filters = request.user, _audit_filters(filters)

    def on_complete(rows):
        audit.log_export(
            user, fmt=format, rows=rows, filters=audit_filters, request=request, page=page, source="api"
        )

    return export.export_response(format, queryset, columns, page, on_complete=on_complete)


@staff_router.get(
    "/{request_id}/",
    response=AppointmentRequestSchema,
    url_name="appointment_request",
    operation_id="appointment_requests_detail",
    summary="One appointment request with every answer",
)
def get_request(request, request_id: PageId):
    _require_permission(request)
    submission = get_submission_for_user(request.user, request_id)
    if submission is None:
        raise Http404("No appointment request with this id.")
    audit.log_request_view(request.user, submission)
    return submission


# --- Errors and registration -----------------------------------------------------------------


def refuse_deleting_protected_pages(request, exc):
    """Deleting a page whose appointment requests (or other PROTECTed rows) point to it: 409, audited."""
    held = [obj for obj in exc.protected_objects if isinstance(obj, AppointmentSubmission)]
    # A bearer token stands for its user; a session request has request.user.
    user = getattr(getattr(request, "auth", None), "user", None) or getattr(request, "user", None)
    for page_id in sorted({submission.page_id for submission in held}):
        page = Page.objects.filter(pk=page_id).first()
        if page is not None:
            deletion.log_refusal(page, user, sum(1 for s in held if s.page_id == page_id), "api")
    return problem_response(
        status=409,
        title="Conflict",
        detail=deletion.refusal_message(len(held)) if held else "Other records still depend on this.",
    )


def request_too_large(request, exc):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413 as a problem document.

    Django raises ``RequestDataTooBig`` when the view first reads the body; without
    this handler Wagtail's catch-all answers 500 with DEBUG on, and Django an HTML
    400 with it off.
    """
    return problem_response(
        status=413,
        title="Request body too large",
        detail=f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes. Send a smaller one.",
    )


def register(api):
    """Add this app's routers and error answers to ``api`` (Wagtail's v3 ``NinjaAPI``).

    Called once, from ``ready()``: routers must be added before ``api.urls`` is first
    read, which a host's URLconf does after every app is ready. Deleting a page that
    holds appointment requests through the API's page actions then answers 409 rather
    than 500.
    """
    api.add_router("/forms/", router)
    api.add_router("/appointment-requests/", staff_router)
    api.add_exception_handler(ProtectedError, refuse_deleting_protected_pages)
    api.add_exception_handler(RequestDataTooBig, request_too_large)
