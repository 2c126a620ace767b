"""Command-line export, the retention purge and the right-to-erasure command."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry, PageLogEntry, Site

from lead_forms.inbox import audit
from lead_forms.models import AppointmentRequestSettings, AppointmentSubmission
from tests.lead_forms.conftest import make_submission

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def received(submission, days_ago=0, when=None):
    when = when or timezone.now() - datetime.timedelta(days=days_ago)
    AppointmentSubmission.objects.filter(pk=submission.pk).update(submit_time=when)
    return submission


def log_entries(action):
    return [*ModelLogEntry.objects.filter(action=action), *PageLogEntry.objects.filter(action=action)]


def test_cli_export_filters_by_form_dates_and_status(tmp_path, form_page, second_form):
    tz = timezone.get_current_timezone()
    inside = received(
        make_submission(form_page, first_name="Insidepatient", status="booked"),
        when=datetime.datetime(2026, 3, 15, 9, tzinfo=tz),
    )
    received(
        make_submission(form_page, first_name="Tooearly", status="booked"),
        when=datetime.datetime(2026, 2, 28, 23, tzinfo=tz),
    )
    received(
        make_submission(form_page, first_name="Wrongstatus"),
        when=datetime.datetime(2026, 3, 15, 9, tzinfo=tz),
    )
    received(
        make_submission(second_form, full_name="Otherform", status="booked"),
        when=datetime.datetime(2026, 3, 15, 9, tzinfo=tz),
    )
    output = tmp_path / "march.csv"

    out, err = run(
        "export_appointment_requests",
        "--form",
        form_page.slug,
        "--since",
        "2026-03-01",
        "--until",
        "2026-03-31",
        "--status",
        "booked",
        "--output",
        str(output),
    )

    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode(), newline="")))
    assert rows[0] == [
        "Reference",
        "Received (America/New_York)",
        "Status",
        *[f.label for f in form_page.get_form_fields()],
        "Suspected spam",
    ]
    assert [row[0] for row in rows[1:]] == [inside.reference]
    assert "Exported 1 appointment request(s)" in out
    assert err == ""  # no progress bar when stderr is not a terminal
    entry = log_entries(audit.EXPORT)[0]
    assert entry.data["rows"] == 1 and entry.data["source"] == "command" and entry.user is None


def test_cli_export_xlsx_is_text_never_a_formula(tmp_path, form_page):
    make_submission(form_page, first_name="\x01=SUM(1,2)", last_name="+SUM(1,2)")
    output = tmp_path / "all.xlsx"
    run("export_appointment_requests", "--output", str(output))
    sheet = load_workbook(output).active
    cells = list(next(sheet.iter_rows(min_row=2, max_row=2)))
    values = [cell.value for cell in cells]
    assert "=SUM(1,2)" in values and "+SUM(1,2)" in values  # as stored, no apostrophe
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "31/01/2026"], "--since '31/01/2026' is not a date: use YYYY-MM-DD"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "is after --until"),
        (
            ["--form", "no-such-form"],
            "No appointment form with slug 'no-such-form'. Known forms: request-an-appointment",
        ),
    ],
)
def test_cli_export_explains_bad_input(tmp_path, form_page, args, message):
    with pytest.raises(CommandError, match=message):
        run("export_appointment_requests", "--output", str(tmp_path / "x.csv"), *args)
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_purge_deletes_exactly_what_is_older_than_the_setting(form_page):
    site_settings = AppointmentRequestSettings.for_site(Site.objects.get(is_default_site=True))
    assert site_settings.retention_days == 365
    site_settings.retention_days = 30
    site_settings.save()
    old = received(make_submission(form_page), days_ago=31)
    old_spam = received(make_submission(form_page, is_spam=True), days_ago=400)
    recent = received(make_submission(form_page), days_ago=29)

    out, _err = run("purge_appointment_requests", "--dry-run")
    assert "Would delete 2 appointment request(s) in total." in out
    assert AppointmentSubmission.objects.count() == 3

    out, _err = run("purge_appointment_requests")
    assert "Deleted 2 appointment request(s) in total." in out
    assert set(AppointmentSubmission.objects.values_list("pk", flat=True)) == {recent.pk}
    assert not AppointmentSubmission.objects.filter(pk__in=[old.pk, old_spam.pk]).exists()
    (entry,) = log_entries(audit.DELETE)
    assert entry.data["count"] == 2 and entry.data["source"] == "purge"


def test_purge_all_empties_the_table_whatever_the_age_before_an_uninstall(form_page):
    received(make_submission(form_page), days_ago=400)
    received(make_submission(form_page, is_spam=True), days_ago=1)
    make_submission(form_page)

    out, _err = run("purge_appointment_requests", "--all", "--dry-run")
    assert "Would delete 3 appointment request(s) in total." in out
    assert AppointmentSubmission.objects.count() == 3

    out, _err = run("purge_appointment_requests", "--all")
    assert "Deleted 3 appointment request(s) in total." in out
    assert not AppointmentSubmission.objects.exists()
    (entry,) = log_entries(audit.DELETE)
    assert entry.data["count"] == 3 and entry.data["source"] == "purge"


def test_erase_removes_every_request_from_one_address_only(form_page, second_form):
    mine = [
        make_submission(form_page, email="Zelda.Quill@Example.org"),
        make_submission(second_form, full_name="Zelda Q", email="zelda.quill@example.org"),
    ]
    other = make_submission(form_page, email="someone.else@example.org")
    similar = make_submission(form_page, email="zelda.quill@example.org.evil")

    out, _err = run("erase_patient", "ZELDA.QUILL@example.org", "--dry-run")
    assert "Would delete 2" in out and AppointmentSubmission.objects.count() == 4

    out, _err = run("erase_patient", "ZELDA.QUILL@example.org")
    assert "Deleted 2 appointment request(s)" in out
    assert set(AppointmentSubmission.objects.values_list("pk", flat=True)) == {other.pk, similar.pk}
    assert not AppointmentSubmission.objects.filter(pk__in=[s.pk for s in mine]).exists()
    (entry,) = log_entries(audit.DELETE)
    assert "zelda" not in str(entry.data).lower() and entry.data["count"] == 2


def test_erase_refuses_something_that_is_not_an_address(db):
    with pytest.raises(CommandError, match="is not an email address"):
        run("erase_patient", "zelda")


def test_cli_export_shows_progress_on_a_terminal(tmp_path, form_page, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    for n in range(3):
        make_submission(form_page, first_name=f"Progress{n}")
    run("export_appointment_requests", "--output", str(tmp_path / "p.csv"))
    assert "3/3 requests" in terminal.getvalue() and "[#####" in terminal.getvalue()
