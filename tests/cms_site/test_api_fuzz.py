"""Property-based fuzzing of the whole v3 API against the running app (schemathesis).

Every operation in /api/v3/openapi.json gets generated requests, valid and
invalid; each answer must not be a server error and must match what the schema
documents (status code, content type, body). Bounded so it stays well under two
minutes; FUZZ_EXAMPLES raises the bound for a longer local run.

Random strings never get past a signature check, so the writes are also fuzzed with
real credentials, fetched first as a client would: a form token for the appointment
form, a voter token for the article's ratings, and a coordinator's bearer token for
the staff endpoints. Some generated submissions carry a complete set of valid
answers under the generated ones, so the store-and-notify path is reached too.
"""

import json
import os

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.hypothesis.reporting import UnsatisfiableSchema

from lead_forms.inbox.permissions import PERMISSION_CODENAME
from lead_forms.models import AppointmentFormPage, AppointmentSubmission
from tests.factories import UserFactory, api_token_for
from tests.lead_forms.conftest import make_submission
from tests.lead_forms.test_api import JSON_ANSWERS
from treatment_pages.models import TreatmentPage

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


FORM_SUBMIT = "POST /api/v3/forms/{page_id}/submissions/"
RATING_VOTE = "POST /api/v3/ratings/{page_id}/votes/"
RATING_DETAIL = "GET /api/v3/ratings/{page_id}/"


def use_real_credentials(case, label, credentials, with_valid_answers):
    """Put the real form token, voter token (and maybe a valid set of answers) into a generated case."""
    body = case.body if isinstance(case.body, dict) else None
    if label == FORM_SUBMIT and body is not None:
        body["form_token"] = credentials["form_token"]
        if with_valid_answers and isinstance(body.get("answers"), dict):
            # The generated answers over valid ones: unknown names are ignored, known ones checked.
            body["answers"] = {**JSON_ANSWERS, **body["answers"]}
    elif label == RATING_VOTE and body is not None:
        body["voter_token"] = credentials["voter_token"]
    elif label == RATING_DETAIL:
        case.headers = {**(case.headers or {}), "X-Voter-Token": credentials["voter_token"]}


def run_operation(operation, base_url, headers, statuses, real_ids, credentials):
    """Fuzz one operation; half the time its path ids point at objects that exist (with real tokens)."""

    @given(case=operation.as_strategy(), use_real_ids=st.booleans(), with_valid_answers=st.booleans())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case, use_real_ids, with_valid_answers):
        if use_real_ids and case.path_parameters:
            for name in case.path_parameters:
                if name in real_ids:
                    case.path_parameters[name] = real_ids[name]
            use_real_credentials(case, operation.label, credentials, with_valid_answers)
        response = case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        statuses.append((operation.label, bool(headers), response.status_code))

    fuzz()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_v3_schema_fuzz_finds_no_server_errors_or_schema_violations(live_server, demo_site, client, settings):
    # Generated posts come from 127.0.0.1; counting them under other limits (other cache
    # keys) leaves the real limits' counters, which other tests use, untouched.
    settings.LEAD_FORMS_RATE_LIMIT = "100000/m"
    settings.RATINGS_VOTE_RATE = "100000/m"
    # The new-voter limit stays on, low: generated votes without a token soon meet its 429,
    # votes with the real token (a voter the page knows) go on being counted.
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 3
    raw_schema = client.get("/api/v3/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw_schema)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    # Staff endpoints again with a coordinator's token, so filters and exports are reached too.
    coordinator = UserFactory(username="fuzz-coordinator")
    coordinator.user_permissions.add(Permission.objects.get(codename=PERMISSION_CODENAME))
    _token, key = api_token_for(coordinator)
    staff = {"Authorization": f"Bearer {key}"}
    form_page = AppointmentFormPage.objects.get()
    submission = make_submission(form_page)
    article = TreatmentPage.objects.get(slug="mesotherapy")
    real_ids = {"page_id": article.pk, "request_id": submission.pk}
    # Real tokens, fetched as a front end would.
    form_token = client.post(f"/api/v3/forms/{form_page.pk}/token/").json()["form_token"]
    first_vote = client.post(
        f"/api/v3/ratings/{article.pk}/votes/",
        json.dumps({"score": 4}),
        content_type="application/json",
        REMOTE_ADDR="192.0.2.200",
    )
    assert first_vote.status_code == 200
    credentials = {"form_token": form_token, "voter_token": first_vote.json()["voter_token"]}
    runs = [(operation, {}) for operation in operations] + [
        (operation, staff)
        for operation in operations
        if operation.path.startswith("/api/v3/appointment-requests/")
    ]
    assert len(runs) >= len(operations) + 3
    unsatisfiable, statuses = [], []
    for operation, headers in runs:
        try:
            ids = {**real_ids, "page_id": form_page.pk} if "/forms/" in operation.path else real_ids
            run_operation(operation, live_server.url, headers, statuses, ids, credentials)
        except UnsatisfiableSchema:
            unsatisfiable.append(operation.label)
    # The generated requests got past validation too, the token's included.
    assert any(status == 200 for label, _, status in statuses if label.startswith("GET /api/v3/forms/"))
    assert any(status == 422 for label, _, status in statuses if label.startswith("POST /api/v3/forms/"))
    assert any(status == 200 for label, with_token, status in statuses if with_token and "export" in label)
    assert any(status == 200 for label, _, status in statuses if "/ratings/" in label)
    # With the real tokens: requests stored, and the token's voter changing their vote.
    assert any(status == 201 for label, _, status in statuses if label == FORM_SUBMIT)
    assert any(status == 200 for label, _, status in statuses if label == RATING_VOTE)
    assert AppointmentSubmission.objects.filter(page=form_page).exclude(pk=submission.pk).exists()
    # The figures for the record (pytest -s shows them).
    failures = 0  # any failed check stops the run above, naming the case
    print(
        f"\nv3 fuzz: {len(statuses)} cases, {len(operations)} operations "
        f"({len(runs)} runs with the staff token's), {len(unsatisfiable)} unsatisfiable, {failures} failures"
    )
    # Only Wagtail's snippet endpoints, whose {type} is an empty enum until a snippet model exists.
    assert all("/snippets/{type}/" in label for label in unsatisfiable), unsatisfiable
