"""Each encrypted value is bound to its table, column and row; one that cannot be opened reads as
"[unreadable]" in its own row while every other row, list and export keeps working."""

import io
import logging

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from lead_forms.encryption import crypto, rotation
from lead_forms.models import AppointmentSubmission, StaffNote
from tests.factories import api_token_for
from tests.lead_forms.conftest import make_submission

pytestmark = pytest.mark.django_db

INDEX = "lead_forms_appointmentsubmission_modeladmin_index"
INSPECT = "lead_forms_appointmentsubmission_modeladmin_inspect"
API = "/api/v3/appointment-requests/"
TABLE = "lead_forms_appointmentsubmission"


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        return cursor.fetchone()[0]


def write_raw(table, column, pk, value):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def two_requests(form_page):
    return (
        make_submission(form_page, first_name="Alpha", email="alpha@example.org"),
        make_submission(form_page, first_name="Bravo", email="bravo@example.org"),
    )


def test_a_value_copied_to_another_row_does_not_open_there(form_page):
    alpha, bravo = two_requests(form_page)

    write_raw(TABLE, "email", bravo.pk, raw(TABLE, "email", alpha.pk))

    assert AppointmentSubmission.objects.get(pk=alpha.pk).email == "alpha@example.org"
    assert AppointmentSubmission.objects.get(pk=bravo.pk).email == "[unreadable]"


def test_a_value_copied_to_another_column_or_table_does_not_open_there(form_page, coordinator):
    alpha, _bravo = two_requests(form_page)
    note = alpha.add_note(coordinator, "Called, no answer")

    # The audit's case: a staff note's ciphertext pasted into the same request's email column.
    write_raw(TABLE, "email", alpha.pk, raw("lead_forms_staffnote", "text", note.pk))
    write_raw(TABLE, "phone", alpha.pk, raw(TABLE, "name", alpha.pk))

    row = AppointmentSubmission.objects.get(pk=alpha.pk)
    assert (row.email, row.phone) == ("[unreadable]", "[unreadable]")
    assert row.name.startswith("Alpha")
    assert StaffNote.objects.get(pk=note.pk).text == "Called, no answer"


def test_one_corrupted_value_shows_unreadable_in_its_row_and_every_list_still_works(
    form_page, coordinator, caplog
):
    alpha, bravo = two_requests(form_page)
    sealed = raw(TABLE, "form_data", bravo.pk)
    write_raw(TABLE, "form_data", bravo.pk, sealed[:-8] + "AAAAAAA=")
    write_raw(TABLE, "name", bravo.pk, "garbage")
    staff = Client()
    staff.force_login(coordinator)
    caplog.set_level(logging.WARNING, logger="lead_forms.crypto")

    inbox = staff.get(reverse(INDEX))
    assert inbox.status_code == 200
    assert "Alpha" in inbox.content.decode()
    assert "[unreadable]" in inbox.content.decode()
    detail = staff.get(reverse(INSPECT, args=[bravo.pk]))
    assert detail.status_code == 200
    assert "[unreadable]" in detail.content.decode()

    _token, key = api_token_for(coordinator)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = api.get(API)
    assert listed.status_code == 200
    names = {item["reference"]: item["name"] for item in listed.json()["items"]}
    assert names[bravo.reference] == "[unreadable]"
    assert names[alpha.reference].startswith("Alpha")
    assert api.get(f"{API}{bravo.pk}/").status_code == 200

    export = staff.get(reverse(INDEX), {"export": "csv"})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "alpha@example.org" in text
    assert "[unreadable]" in text

    # Wagtail's own submission list and export read get_data().
    assert AppointmentSubmission.objects.get(pk=bravo.pk).get_data().get("city") == "[unreadable]"

    # Logged with model, field and row; never the stored text.
    assert f"lead_forms.AppointmentSubmission.form_data in row {bravo.pk}" in caplog.text
    assert sealed[20:60] not in caplog.text
    assert "garbage" not in caplog.text


def test_unreadable_reads_in_the_staff_member_s_language(form_page, coordinator):
    from django.utils import translation

    alpha, _bravo = two_requests(form_page)
    write_raw(TABLE, "email", alpha.pk, "garbage")

    with translation.override("es"):
        assert AppointmentSubmission.objects.get(pk=alpha.pk).email == "[ilegible]"


def test_saving_a_row_keeps_a_value_it_could_not_open(form_page, settings):
    alpha, _bravo = two_requests(form_page)
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [crypto.generate_key()]
    before = raw(TABLE, "email", alpha.pk)

    row = AppointmentSubmission.objects.get(pk=alpha.pk)
    assert row.email == "[unreadable]"
    row.save()

    assert raw(TABLE, "email", alpha.pk) == before


def test_a_queryset_update_of_an_encrypted_field_is_refused_with_the_reason(form_page):
    alpha, _bravo = two_requests(form_page)

    with pytest.raises(FieldError, match="bound to its row"):
        AppointmentSubmission.objects.filter(pk=alpha.pk).update(email="x@example.org")


def test_bulk_update_seals_each_value_to_its_own_row(form_page):
    rows = list(two_requests(form_page))
    rows[0].email, rows[1].email = "one@example.org", "two@example.org"

    AppointmentSubmission.objects.bulk_update(rows, ["email"])

    emails = dict(AppointmentSubmission.objects.values_list("pk", "email"))
    assert all(value.startswith("lf2:") for value in emails.values())
    assert [AppointmentSubmission.objects.get(pk=row.pk).email for row in rows] == [
        "one@example.org",
        "two@example.org",
    ]
    assert rows[0].email == "one@example.org"  # the instance keeps its plain value


def unbound(field_name, value):
    keyring = crypto.get_keyring()
    field = AppointmentSubmission._meta.get_field(field_name)
    return keyring.encrypt(field.serialise(value))


def test_values_of_the_first_format_are_refused_until_rotation_reseals_them(form_page, settings):
    alpha, bravo = two_requests(form_page)
    write_raw(TABLE, "email", alpha.pk, unbound("email", "old-alpha@example.org"))
    write_raw(TABLE, "form_data", bravo.pk, unbound("form_data", {"city": "Oldtown"}))
    assert raw(TABLE, "email", alpha.pk).startswith("lf1:")

    assert AppointmentSubmission.objects.get(pk=alpha.pk).email == "[unreadable]"
    settings.LEAD_FORMS_READ_UNBOUND_VALUES = True
    assert AppointmentSubmission.objects.get(pk=alpha.pk).email == "old-alpha@example.org"
    settings.LEAD_FORMS_READ_UNBOUND_VALUES = False
    assert rotation.stale_count() == 2

    # Resumable: one row per batch, as after an interruption; the next run finds nothing to do.
    assert rotation.rotate(batch_size=1) == 2
    assert rotation.stale_count() == 0
    assert rotation.rotate() == 0

    assert raw(TABLE, "email", alpha.pk).startswith("lf2:")
    assert AppointmentSubmission.objects.get(pk=alpha.pk).email == "old-alpha@example.org"
    assert AppointmentSubmission.objects.get(pk=bravo.pk).form_data == {"city": "Oldtown"}
    assert list(AppointmentSubmission.objects.search("old-alpha@example.org")) == [alpha]


def test_dumpdata_of_patient_data_is_refused_without_the_explicit_flag(form_page):
    alpha, _bravo = two_requests(form_page)

    for labels in (["lead_forms"], ["lead_forms.appointmentsubmission"], ["lead_forms.staffnote"], []):
        with pytest.raises(CommandError, match="--include-patient-data"):
            call_command("dumpdata", *labels, stdout=io.StringIO())

    out = io.StringIO()
    call_command("dumpdata", "wagtailcore.locale", stdout=out)
    assert "wagtailcore.locale" in out.getvalue()
    call_command(
        "dumpdata",
        "lead_forms",
        "--exclude",
        "lead_forms.appointmentsubmission",
        "--exclude",
        "lead_forms.staffnote",
        stdout=io.StringIO(),
    )

    out = io.StringIO()
    call_command("dumpdata", "lead_forms.appointmentsubmission", include_patient_data=True, stdout=out)
    assert "alpha@example.org" in out.getvalue()


def test_a_clear_text_dump_is_not_loaded_back_over_the_ciphertext(form_page, tmp_path):
    alpha, _bravo = two_requests(form_page)
    dump = tmp_path / "requests.json"
    call_command("dumpdata", "lead_forms.appointmentsubmission", include_patient_data=True, output=str(dump))
    before = raw(TABLE, "email", alpha.pk)

    with pytest.raises(FieldError, match="bound to its row"):
        call_command("loaddata", str(dump), stdout=io.StringIO())

    assert raw(TABLE, "email", alpha.pk) == before


def test_a_model_with_encrypted_fields_but_no_row_binding_fails_the_system_check():
    from django.db import models
    from django.test.utils import isolate_apps

    from lead_forms.models import EncryptedTextField

    with isolate_apps("tests"):

        class Unbound(models.Model):  # noqa: DJ008 - a throwaway model for the check
            secret = EncryptedTextField()

            class Meta:
                app_label = "tests"

        ids = {error.id for error in Unbound._meta.get_field("secret").check()}

    assert ids == {"lead_forms.E030", "lead_forms.E031"}
