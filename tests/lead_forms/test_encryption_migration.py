"""Migration 0005 encrypts requests stored in plain text before, and only the keys take it back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lead_forms.models import AppointmentFormPage, AppointmentSubmission

BEFORE = [("lead_forms", "0003_patient_coordinators_group")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("lead_forms")


def raw_row(reference):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT form_data, name, email, phone FROM lead_forms_appointmentsubmission WHERE reference = %s",
            [reference],
        )
        return [str(value) for value in cursor.fetchone()]


@pytest.mark.django_db(transaction=True)
def test_stored_plain_requests_are_encrypted_in_place_and_decrypted_on_the_way_back(demo_site):
    page_id = AppointmentFormPage.objects.get(slug="request-an-appointment").pk
    executor = migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        OldSubmission = old_apps.get_model("lead_forms", "AppointmentSubmission")
        for n in range(3):
            OldSubmission.objects.create(
                page_id=page_id,
                reference=f"AR-MIGRATE{n}",
                form_data={"first_name": "Migrata", "your_comments": f"Plain-comment-{n}"},
                name=f"Migrata Plainrow{n}",
                email=f"migrata{n}@example.org",
                phone="+12175550123",
            )
        assert "Migrata" in raw_row("AR-MIGRATE0")[1]

        migrate(latest())

        assert all(value.startswith("lf2:") for value in raw_row("AR-MIGRATE1"))
        assert "Plain-comment" not in "".join(raw_row("AR-MIGRATE1"))
        row = AppointmentSubmission.objects.get(reference="AR-MIGRATE1")
        assert (row.name, row.form_data["your_comments"]) == ("Migrata Plainrow1", "Plain-comment-1")
        assert list(AppointmentSubmission.objects.search("migrata1@example.org")) == [row]
        assert AppointmentSubmission.objects.search("0123").count() == 3

        migrate(BEFORE)
        assert raw_row("AR-MIGRATE2")[1:] == ["Migrata Plainrow2", "migrata2@example.org", "+12175550123"]
    finally:
        migrate(latest())
    assert (
        AppointmentSubmission.objects.get(reference="AR-MIGRATE2").form_data["your_comments"]
        == "Plain-comment-2"
    )
