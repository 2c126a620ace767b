"""Every read or change of patient data leaves one entry in Wagtail's log, without the data itself."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry, PageLogEntry

from lead_forms.inbox import audit
from tests.lead_forms.conftest import VALID_DATA, make_submission

INDEX = "lead_forms_appointmentsubmission_modeladmin_index"
INSPECT = "lead_forms_appointmentsubmission_modeladmin_inspect"
DELETE = "lead_forms_appointmentsubmission_modeladmin_delete"
STATUS = "lead_forms_appointmentsubmission_modeladmin_status"

pytestmark = pytest.mark.django_db

SUBMITTED = [v for v in VALID_DATA.values() if len(v) > 3] + [
    "Auditpatient",
    "audit@example.org",
    "2175550199",
]


def entries(action):
    return [*ModelLogEntry.objects.filter(action=action), *PageLogEntry.objects.filter(action=action)]


def only_entry(action):
    found = entries(action)
    assert len(found) == 1, f"{action}: {len(found)} entries"
    return found[0]


def assert_no_patient_data():
    for entry in [*ModelLogEntry.objects.all(), *PageLogEntry.objects.all()]:
        text = f"{entry.label} {json.dumps(entry.data)}".lower()
        for value in SUBMITTED:
            assert value.lower() not in text, (entry.action, value)


@pytest.fixture
def setup(coordinator, form_page):
    submission = make_submission(form_page, first_name="Auditpatient", email="audit@example.org")
    client = Client()
    client.force_login(coordinator)
    return client, submission


def test_viewing_the_inbox_and_a_request_is_logged(setup, coordinator):
    client, submission = setup
    client.get(reverse(INDEX), {"q": "Auditpatient", "status": "new"})
    client.get(reverse(INSPECT, args=[submission.pk]))

    inbox = only_entry(audit.VIEW_INBOX)
    assert inbox.user == coordinator and inbox.timestamp
    assert inbox.data["filters"] == {"status": "new", "q": "set"}  # the search term itself is not kept
    view = only_entry(audit.VIEW_REQUEST)
    assert view.user == coordinator and view.object_id == str(submission.pk)
    assert_no_patient_data()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_logged_with_format_filters_and_row_count(setup, coordinator, form_page, fmt):
    client, _submission = setup
    make_submission(form_page, first_name="Secondpatient", status="booked")
    response = client.get(reverse(INDEX), {"export": fmt, "status": "booked", "q": "Secondpatient"})
    b"".join(response.streaming_content)  # the entry is written once the download is complete

    entry = only_entry(audit.EXPORT)
    assert entry.user == coordinator
    assert entry.data["format"] == fmt and entry.data["rows"] == 1
    assert entry.data["filters"] == {"status": "booked", "q": "set"}
    assert_no_patient_data()


def test_per_form_list_and_export_are_logged_on_the_form_page(setup, form_page):
    client, _submission = setup
    url = reverse("wagtailforms:list_submissions", args=[form_page.pk])
    # The per-form list is the inbox filtered to the form; its export stays per form.
    assert client.get(url, follow=True).status_code == 200
    b"".join(client.get(url, {"export": "csv"}).streaming_content)

    assert only_entry(audit.VIEW_INBOX).data["filters"] == {"form": str(form_page.pk)}
    export_entry = only_entry(audit.EXPORT)
    assert export_entry.page_id == form_page.pk and export_entry.data["rows"] == 1
    assert_no_patient_data()


def test_status_change_and_delete_are_logged(setup, coordinator, form_page):
    client, submission = setup
    client.post(reverse(STATUS, args=[submission.pk]), {"status": "contacted"})
    change = only_entry(audit.CHANGE_STATUS)
    assert change.user == coordinator and change.data["old"] == "new" and change.data["new"] == "contacted"

    client.post(reverse(DELETE, args=[submission.pk]))
    deleted = only_entry(audit.DELETE)
    assert deleted.data["count"] == 1 and deleted.data["references"] == [submission.reference]
    # One entry per deletion, not a second generic one from wagtail-modeladmin.
    assert not ModelLogEntry.objects.filter(action="wagtail.delete").exists()

    other = make_submission(form_page, first_name="Auditpatient")
    url = reverse("wagtailforms:delete_submissions", args=[form_page.pk])
    client.post(f"{url}?selected-submissions={other.pk}")
    assert len(entries(audit.DELETE)) == 2
    assert_no_patient_data()


def test_entries_show_in_the_admin_site_history(setup, superuser):
    client, submission = setup
    client.post(reverse(STATUS, args=[submission.pk]), {"status": "booked"})
    admin = Client()
    admin.force_login(superuser)
    html = admin.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert "Changed status from new to booked" in html
