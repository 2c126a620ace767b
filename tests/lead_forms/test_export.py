"""CSV and XLSX export of appointment requests: columns, encoding, formula safety, filters."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from lead_forms import export
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
    assert header == ["Reference", "Received", "Status", *labels, "Suspected spam"]
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    values = dict(zip(header, row, strict=True))
    assert values["First name"] == "Élodie"  # accents survive (UTF-8 with BOM for Excel)
    assert values["Your comments"] == "Café crème, naïve"
    assert values["Status"] == "New"
    assert values["Receive our free newsletter"] == "Yes"


def test_inbox_export_respects_the_filters_and_spans_forms(staff, form_page, second_form):
    make_submission(form_page, first_name="Bookedone", status="booked")
    make_submission(form_page, first_name="Newone")
    make_submission(second_form, full_name="Otherform Patient", email="o@example.org")
    make_submission(form_page, first_name="Spamone", is_spam=True)

    everything = read_csv(download(staff, reverse(INDEX), {"export": "csv"}))
    booked = read_csv(download(staff, reverse(INDEX), {"export": "csv", "status": "booked"}))

    header = everything[0]
    assert header[:4] == ["Reference", "Received", "Status", "Form page"]
    first_form = [field.label for field in form_page.get_form_fields()]
    assert header[4 : 4 + len(first_form)] == first_form
    assert "Full name" in header  # the second form's own field
    flat = "\n".join(",".join(row) for row in everything[1:])
    assert "Bookedone" in flat and "Newone" in flat and "Otherform Patient" in flat
    assert "Spamone" not in flat  # hidden by default, as in the list
    assert len(booked) == 2 and "Bookedone" in booked[1]


def test_xlsx_export_is_text_only_and_neutralised(staff, form_page):
    make_submission(form_page, first_name='=HYPERLINK("http://evil")', last_name="@SUM(A1)", city="Zürich")
    raw = download(staff, reverse(INDEX), {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(raw), read_only=False).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, row = rows[0], rows[1]
    values = dict(zip(header, row, strict=False))
    assert values["First name"] == '\'=HYPERLINK("http://evil")'
    assert values["Last name"] == "'@SUM(A1)"
    assert values["City"] == "Zürich"
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value is not None)


TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# PostgreSQL's jsonb cannot hold NUL, and lone surrogates are not text; everything else goes.
patient_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.one_of(
        patient_text, st.sampled_from(TRIGGERS).flatmap(lambda t: patient_text.map(lambda s: t + s))
    )
)
def test_every_cell_is_the_value_or_the_value_behind_one_apostrophe(form_page, value):
    submission = AppointmentSubmission.objects.create(page=form_page, form_data={"first_name": value})
    try:
        columns = export.export_columns([form_page], with_page=False)
        rows = read_csv(
            b"".join(export.csv_chunks(AppointmentSubmission.objects.filter(pk=submission.pk), columns))
        )
        cell = rows[1][[column.label for column in columns].index("First name")]
        expected = "'" + value if value.startswith(TRIGGERS) else value
        assert cell == expected
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
    assert first.startswith(b"\xef\xbb\xbfReference,Received,Status,")


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
