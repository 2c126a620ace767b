"""Patient data is encrypted at rest, readable on every staff surface, searchable by exact values,
and its keys rotate without a request ever becoming unreadable."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lead_forms import checks
from lead_forms.encryption import crypto, rotation
from lead_forms.models import AppointmentSubmission, SearchToken
from tests.factories import api_token_for
from tests.lead_forms.conftest import VALID_DATA, make_submission, post_form

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
INDEX = "lead_forms_appointmentsubmission_modeladmin_index"
INSPECT = "lead_forms_appointmentsubmission_modeladmin_inspect"
API = "/api/v3/appointment-requests/"

# Distinctive answers: none of them may appear anywhere in the database.
DISTINCTIVE = {
    "first_name": "Quuxberta",
    "last_name": "Zorblattine",
    "city": "Frobnitzville",
    "email": "quux.zorblatt@example.org",
    "phone": "(217) 555-0177",
    "your_comments": "Plughknee-secret-ailment",
}
STORED_PHONE = "555-0177"  # the phone as stored ("(217) 555-0177"), searched for in the raw columns too
NEEDLES = [
    "Quuxberta",
    "Zorblattine",
    "Frobnitzville",
    "quux.zorblatt",
    STORED_PHONE,
    "Plughknee",
]

KEY_A, KEY_B = crypto.generate_key(), crypto.generate_key()
SEARCH_A, SEARCH_B = crypto.generate_key(), crypto.generate_key()


def raw_database_text():
    """Every value of every column of every table, read with raw SQL, as one text per (table, column)."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                column.name for column in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, memoryview | bytes):
                        text = bytes(value).decode("utf-8", "replace")
                    else:
                        text = str(value)
                    found.setdefault((table, column), []).append(text)
    return {key: "\n".join(values) for key, values in found.items()}


def stored(submission):
    """The raw text of ``submission``'s encrypted columns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT form_data, name, email, phone, contact_method FROM lead_forms_appointmentsubmission "
            "WHERE id = %s",
            [submission.pk],
        )
        return [str(value) for value in cursor.fetchone()]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def body(response):
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def xlsx_text(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return "\n".join(
        str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None
    )


def csv_text(content):
    text = content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))  # a well-formed CSV
    return text


# --- Nothing readable in the database; everything intact on every surface ---------------------------


def test_submitted_values_are_in_no_column_yet_every_staff_surface_shows_them(
    client, form_page, client_ip, coordinator, tmp_path
):
    response = post_form(client, form_page, client_ip, {**VALID_DATA, **DISTINCTIVE}, follow=True)
    assert response.status_code == 200
    submission = AppointmentSubmission.objects.get()
    assert submission.reference in response.content.decode()

    raw = raw_database_text()
    leaks = [
        (table, column, needle)
        for (table, column), text in raw.items()
        for needle in NEEDLES
        if needle.lower() in text.lower()
    ]
    assert leaks == []
    assert submission.reference in raw[("lead_forms_appointmentsubmission", "reference")]
    assert all(value.startswith("lf2:") for value in stored(submission))

    staff = client_for(coordinator)
    inbox = body(staff.get(reverse(INDEX))).decode()
    assert "Quuxberta Zorblattine" in inbox
    detail = body(staff.get(reverse(INSPECT, args=[submission.pk]))).decode()
    for value in (
        "Quuxberta",
        "Zorblattine",
        "Frobnitzville",
        "quux.zorblatt@example.org",
        "(217) 555-0177",
        "Plughknee-secret-ailment",
    ):
        assert value in detail

    _token, key = api_token_for(coordinator)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = api.get(API).json()["items"][0]
    assert (listed["name"], listed["email"], listed["phone"]) == (
        "Quuxberta Zorblattine",
        "quux.zorblatt@example.org",
        "(217) 555-0177",
    )
    answers = {
        answer["name"]: answer["value"] for answer in api.get(f"{API}{submission.pk}/").json()["answers"]
    }
    assert answers["your_comments"] == "Plughknee-secret-ailment"
    assert answers["city"] == "Frobnitzville"

    per_form = reverse("wagtailforms:list_submissions", args=[form_page.pk])
    exports = {
        "inbox csv": csv_text(body(staff.get(reverse(INDEX), {"export": "csv"}))),
        "inbox xlsx": xlsx_text(body(staff.get(reverse(INDEX), {"export": "xlsx"}))),
        "form csv": csv_text(body(staff.get(per_form, {"export": "csv"}))),
        "form xlsx": xlsx_text(body(staff.get(per_form, {"export": "xlsx"}))),
        "api csv": csv_text(body(api.get(f"{API}export/"))),
        "api xlsx": xlsx_text(body(api.get(f"{API}export/", {"format": "xlsx"}))),
    }
    for fmt in ("csv", "xlsx"):
        output = tmp_path / f"requests.{fmt}"
        call_command("export_appointment_requests", "--output", str(output), stdout=io.StringIO())
        exports[f"command {fmt}"] = (
            csv_text(output.read_bytes()) if fmt == "csv" else xlsx_text(output.read_bytes())
        )
    for name, text in exports.items():
        for value in (
            "Quuxberta",
            "Zorblattine",
            "Frobnitzville",
            "quux.zorblatt@example.org",
            "Plughknee-secret-ailment",
        ):
            assert value in text, f"{value} missing from the {name} export"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://...")
def test_postgresql_columns_hold_ciphertext_only(form_page):
    submission = make_submission(form_page, first_name="Pgquuxname", your_comments="Pg-plugh-comment")
    raw = raw_database_text()
    assert not [key for key, text in raw.items() if "Pgquuxname" in text or "Pg-plugh-comment" in text]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            ["lead_forms_appointmentsubmission", "form_data"],
        )
        assert cursor.fetchone()[0] == "text"
    assert (
        AppointmentSubmission.objects.get(pk=submission.pk).form_data["your_comments"] == "Pg-plugh-comment"
    )


# --- Search by exact values through the blind indexes ---------------------------------------------------


@pytest.fixture
def searchable(form_page):
    found = make_submission(
        form_page,
        first_name="José-Luis",
        last_name="Quillfeather",
        email="Jose.Q@Example.org",
        phone="+12175550142",
    )
    other = make_submission(
        form_page, first_name="Other", last_name="Person", email="other@example.org", phone="+4930123456"
    )
    return found, other


@pytest.mark.parametrize(
    "term",
    [
        "quillfeather",
        "JOSE",
        "josé luis",
        "jose.q@example.org",
        " JOSE.Q@EXAMPLE.ORG ",
        "+1 (217) 555-0142",
        "0142",
    ],
)
def test_search_finds_by_name_word_email_phone_and_last_four_digits(searchable, term):
    found, _other = searchable
    assert list(AppointmentSubmission.objects.search(term)) == [found]


def test_search_finds_by_reference(searchable):
    found, _other = searchable
    assert list(AppointmentSubmission.objects.search(found.reference.lower())) == [found]


@pytest.mark.parametrize(
    "fragment",
    [
        "quill",
        "feather",
        "jose.q@example",
        "example.org",
        "555-0142",
        "17555014",
        "142",
        "Plughknee",
        "AR-",
    ],
)
def test_search_does_not_find_by_fragment_or_other_answers(searchable, fragment):
    assert list(AppointmentSubmission.objects.search(fragment)) == []


def test_encrypted_columns_refuse_sql_comparisons():
    with pytest.raises(FieldError, match="encrypted"):
        list(AppointmentSubmission.objects.filter(name__icontains="x"))
    with pytest.raises(FieldError, match="encrypted"):
        list(AppointmentSubmission.objects.filter(form_data__email="x"))


def test_bulk_create_and_update_keep_search_tokens(form_page):
    rows = AppointmentSubmission.objects.bulk_create(
        [AppointmentSubmission(page=form_page, reference="AR-BULK0001", name="Bulkname Person", form_data={})]
    )
    assert list(AppointmentSubmission.objects.search("bulkname")) == rows
    rows[0].name = "Renamed Person"
    AppointmentSubmission.objects.bulk_update(rows, ["name"])
    assert list(AppointmentSubmission.objects.search("bulkname")) == []
    assert list(AppointmentSubmission.objects.search("renamed")) == rows
    assert stored(rows[0])[1].startswith("lf2:")


# --- Keys: rotation, interruption, wrong or missing keys --------------------------------------------------


def prefix(key):
    return f"lf2:{crypto.key_id(crypto.parse_keys([key], 'x')[0])}:"


def test_rotation_reencrypts_rows_under_an_old_key_and_rebuilds_search_tokens(form_page, settings):
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_A]
    settings.LEAD_FORMS_SEARCH_KEY = [SEARCH_A]
    old = make_submission(form_page, first_name="Rotatable", your_comments="Before-rotation-comment")
    assert all(value.startswith(prefix(KEY_A)) for value in stored(old))

    # New keys first; the old ones still listed while the rotation runs.
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    settings.LEAD_FORMS_SEARCH_KEY = [SEARCH_B, SEARCH_A]
    assert (
        AppointmentSubmission.objects.get(pk=old.pk).form_data["your_comments"] == "Before-rotation-comment"
    )
    assert list(AppointmentSubmission.objects.search("rotatable")) == [old]
    new = make_submission(form_page, first_name="Newcomer")
    assert all(value.startswith(prefix(KEY_B)) for value in stored(new))

    out = io.StringIO()
    call_command("rotate_patient_data_keys", "--dry-run", stdout=out)
    assert out.getvalue().startswith("1 appointment request(s) to re-encrypt")
    out = io.StringIO()
    call_command("rotate_patient_data_keys", stdout=out)
    assert "Re-encrypted 1 appointment request(s)" in out.getvalue()

    assert all(value.startswith(prefix(KEY_B)) for value in stored(old))
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_B]
    settings.LEAD_FORMS_SEARCH_KEY = [SEARCH_B]
    reread = AppointmentSubmission.objects.get(pk=old.pk)
    assert (reread.name, reread.form_data["your_comments"]) == (
        "Rotatable Quillfeather",
        "Before-rotation-comment",
    )
    assert list(AppointmentSubmission.objects.search("rotatable")) == [old]
    assert list(AppointmentSubmission.objects.search("0199").order_by("pk")) == [old, new]


def test_interrupted_rotation_run_again_finishes_with_every_row_readable(form_page, settings):
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_A]
    rows = [
        make_submission(form_page, first_name=f"Patient{n}", your_comments=f"Comment {n}") for n in range(7)
    ]
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    class Interrupted(Exception):
        pass

    def crash_after_first_batch(done, total):
        raise Interrupted

    with pytest.raises(Interrupted):
        rotation.rotate(batch_size=3, progress=crash_after_first_batch)

    # Half-way: every request readable, three under the new key, the rest still under the old one.
    by_pk = {row.pk: row for row in AppointmentSubmission.objects.all()}
    assert {pk: row.form_data["your_comments"] for pk, row in by_pk.items()} == {
        row.pk: f"Comment {n}" for n, row in enumerate(rows)
    }
    under_new = [row for row in rows if stored(row)[0].startswith(prefix(KEY_B))]
    assert len(under_new) == 3

    call_command("rotate_patient_data_keys", "--batch-size", "2", stdout=io.StringIO())
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_B]
    assert sorted(row.form_data["your_comments"] for row in AppointmentSubmission.objects.all()) == [
        f"Comment {n}" for n in range(7)
    ]
    assert rotation.stale_count() == 0


def test_a_missing_or_wrong_key_reads_as_unreadable_and_logs_why_never_an_empty_value(
    form_page, settings, coordinator, caplog
):
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_A]
    submission = make_submission(form_page, first_name="Lockedout")

    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_B]
    row = AppointmentSubmission.objects.get(pk=submission.pk)
    assert row.name == "[unreadable]"
    assert row.form_data.get("first_name") == "[unreadable]"
    assert crypto.key_id(crypto.parse_keys([KEY_A], "x")[0]) in caplog.text
    assert "LEAD_FORMS_ENCRYPTION_KEYS" in caplog.text
    response = client_for(coordinator).get(reverse(INSPECT, args=[submission.pk]))
    assert response.status_code == 200
    assert "[unreadable]" in response.content.decode()

    # A value altered in the database fails authentication instead of decrypting to something else.
    settings.LEAD_FORMS_ENCRYPTION_KEYS = [KEY_A]
    form_data = stored(submission)[0]
    tampered = form_data[:-6] + ("A" if form_data[-6] != "A" else "B") + form_data[-5:]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lead_forms_appointmentsubmission SET form_data = %s WHERE id = %s",
            [tampered, submission.pk],
        )
    caplog.clear()
    assert AppointmentSubmission.objects.get(pk=submission.pk).form_data.get("city") == "[unreadable]"
    assert "failed authentication" in caplog.text
    assert tampered[12:40] not in caplog.text

    # Plain text where ciphertext belongs is refused too.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lead_forms_appointmentsubmission SET form_data = %s WHERE id = %s",
            ['{"a": 1}', submission.pk],
        )
    caplog.clear()
    assert AppointmentSubmission.objects.get(pk=submission.pk).form_data.get("a") == "[unreadable]"
    assert "not encrypted" in caplog.text


PRODUCTION_START = "import django; django.setup(); print('started')"


def start_production(**environ):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LEAD_FORMS_") and key not in {"REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms_site.settings.production", SECRET_KEY="k", ALLOWED_HOSTS="x", **environ
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PRODUCTION_START],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_keys_naming_the_variable():
    # A whole production start-up: the reference site's production settings refuse, the plugin
    # itself only reports the keys missing (lead_forms.E011).
    missing = start_production()

    assert missing.returncode != 0
    assert "LEAD_FORMS_ENCRYPTION_KEYS is not set" in missing.stderr
    assert "LEAD_FORMS_ENCRYPTION_KEYS environment variable" in missing.stderr

    no_search_key = start_production(LEAD_FORMS_ENCRYPTION_KEYS=KEY_A)

    assert no_search_key.returncode != 0
    assert "LEAD_FORMS_SEARCH_KEY is not set" in no_search_key.stderr


def test_production_starts_with_both_keys():
    started = start_production(LEAD_FORMS_ENCRYPTION_KEYS=KEY_A, LEAD_FORMS_SEARCH_KEY=SEARCH_A)

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().endswith("started")


def key_check_messages(**kwargs):
    return [(message.id, message.msg) for message in checks.check_encryption_keys(None, **kwargs)]


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ({}, "LEAD_FORMS_ENCRYPTION_KEYS is not set"),
        ({"LEAD_FORMS_ENCRYPTION_KEYS": KEY_A}, "LEAD_FORMS_SEARCH_KEY is not set"),
        (
            {"LEAD_FORMS_ENCRYPTION_KEYS": "not-a-key", "LEAD_FORMS_SEARCH_KEY": SEARCH_A},
            "LEAD_FORMS_ENCRYPTION_KEYS: key number 1 is not url-safe base64",
        ),
        ({"LEAD_FORMS_ENCRYPTION_KEYS": KEY_A, "LEAD_FORMS_SEARCH_KEY": KEY_A}, "must not be one of the"),
        ({"LEAD_FORMS_ENCRYPTION_KEYS": f"{KEY_B},{KEY_A}", "LEAD_FORMS_SEARCH_KEY": SEARCH_A}, None),
    ],
    ids=["no-keys", "no-search-key", "bad-key", "same-key", "configured"],
)
def test_the_system_check_names_the_key_setting_to_fix(settings, keys, problem):
    settings.LEAD_FORMS_THROWAWAY_KEYS = False
    settings.LEAD_FORMS_ENCRYPTION_KEYS = ""
    settings.LEAD_FORMS_SEARCH_KEY = ""
    for name, value in keys.items():
        setattr(settings, name, value)

    reported = key_check_messages()

    if problem is None:
        assert reported == []
    else:
        [(code, message)] = reported
        assert code == "lead_forms.E011"
        assert problem in message


def test_missing_keys_name_the_settings_how_to_make_one_and_the_development_switch(settings):
    settings.LEAD_FORMS_THROWAWAY_KEYS = False
    settings.LEAD_FORMS_ENCRYPTION_KEYS = []
    settings.LEAD_FORMS_SEARCH_KEY = []

    [(code, message)] = key_check_messages()

    assert code == "lead_forms.E011"
    assert "settings LEAD_FORMS_ENCRYPTION_KEYS and LEAD_FORMS_SEARCH_KEY" in message
    assert "environment variable" not in message
    assert "secrets.token_bytes(32)" in message
    assert "LEAD_FORMS_THROWAWAY_KEYS = True" in message
    # With the databases (migrate, and check on Django 6) and the app's tables there: still an
    # error. Only a fresh host's first migrate gets a warning (tests/apps/test_fresh_host.py).
    assert key_check_messages(databases=["default"]) == [("lead_forms.E011", message)]


def test_using_patient_data_without_keys_raises_with_the_fix(settings, form_page):
    submission = make_submission(form_page)
    settings.LEAD_FORMS_THROWAWAY_KEYS = False
    settings.LEAD_FORMS_ENCRYPTION_KEYS = []
    settings.LEAD_FORMS_SEARCH_KEY = []

    for use in (
        lambda: crypto.encrypt_text("x"),
        # Values open when they are read (each bound to its row), not when the row is loaded.
        lambda: AppointmentSubmission.objects.get(pk=submission.pk).form_data,
        lambda: make_submission(form_page),
    ):
        with pytest.raises(
            ImproperlyConfigured, match="LEAD_FORMS_(ENCRYPTION_KEYS|SEARCH_KEY) is not set"
        ) as raised:
            use()
        assert "LEAD_FORMS_THROWAWAY_KEYS = True" in str(raised.value)


def test_search_tokens_are_deleted_with_their_request(form_page):
    submission = make_submission(form_page)
    assert SearchToken.objects.filter(submission=submission).exists()
    submission.delete()
    assert not SearchToken.objects.exists()
