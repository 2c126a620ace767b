"""Property-based fuzzing of the whole v3 API against the running app (schemathesis).

Every operation in /api/v3/openapi.json gets generated requests, valid and
invalid; each answer must not be a server error and must match what the schema
documents (status code, content type, body). Bounded so it stays well under two
minutes; FUZZ_EXAMPLES raises the bound for a longer local run.
"""

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

from lead_forms.models import AppointmentFormPage
from lead_forms.permissions import PERMISSION_CODENAME
from tests.factories import UserFactory, api_token_for
from tests.lead_forms.conftest import make_submission
from treatment_pages.models import TreatmentPage

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def run_operation(operation, base_url, headers, statuses, real_ids):
    """Fuzz one operation; half the time its path ids point at objects that exist."""

    @given(case=operation.as_strategy(), use_real_ids=st.booleans())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case, use_real_ids):
        if use_real_ids and case.path_parameters:
            for name in case.path_parameters:
                if name in real_ids:
                    case.path_parameters[name] = real_ids[name]
        response = case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        statuses.append((operation.label, bool(headers), response.status_code))

    fuzz()


@pytest.mark.django_db(transaction=True)
def test_v3_schema_fuzz_finds_no_server_errors_or_schema_violations(live_server, demo_site, client, settings):
    # Generated posts come from 127.0.0.1; counting them under other limits (other cache
    # keys) leaves the real limits' counters, which other tests use, untouched.
    settings.LEAD_FORMS_RATE_LIMIT = "100000/m"
    settings.RATINGS_VOTE_RATE = "100000/m"
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
            run_operation(operation, live_server.url, headers, statuses, ids)
        except UnsatisfiableSchema:
            unsatisfiable.append(operation.label)
    # The generated requests got past validation too, the token's included.
    assert any(status == 200 for label, _, status in statuses if label.startswith("GET /api/v3/forms/"))
    assert any(status == 422 for label, _, status in statuses if label.startswith("POST /api/v3/forms/"))
    assert any(status == 200 for label, with_token, status in statuses if with_token and "export" in label)
    assert any(status == 200 for label, _, status in statuses if "/ratings/" in label)
    # Only Wagtail's snippet endpoints, whose {type} is an empty enum until a snippet model exists.
    assert all("/snippets/{type}/" in label for label in unsatisfiable), unsatisfiable
