"""The exports treatment_pages adds, opened in Debian's LibreOffice Calc (headless).

The "All ratings" listing, the Ratings report and the Clinical review report, each as
CSV (opened with ``,``, with ``;``, and with ``,`` and "Format quoted field as text")
and as XLSX: LibreOffice finds no formula and nothing it could still run, and with the
file's own separator reads the very cells Python reads. Run in CI (``.ci/run``
installs libreoffice-calc); skipped locally without ``soffice``.
"""

import datetime
import io

import pytest
from openpyxl import load_workbook

from tests.lead_forms.test_export_libreoffice import (
    CSV_IMPORT,
    CSV_IMPORT_QUOTED_AS_TEXT,
    CSV_IMPORT_SEMICOLON,
    assert_nothing_can_run,
    assert_nothing_evaluated,
    csv_cells,
    open_all_in_libreoffice,
    sheet_cells,
    soffice,  # noqa: F401 - the fixture
)
from tests.treatment_pages.test_spreadsheet_exports import EXPORTS, MESO_TITLE, PEEL_TITLE, download, titled  # noqa: F401

pytestmark = pytest.mark.django_db


def to_seconds(rows):
    """Dates and times as LibreOffice keeps them: to the second, a date as its midnight."""

    def cut(value):
        if isinstance(value, datetime.datetime):
            return value.replace(microsecond=0)
        if isinstance(value, datetime.date):
            return datetime.datetime.combine(value, datetime.time.min)
        return value

    return [[cut(value) for value in row] for row in rows]


def test_every_export_opens_in_libreoffice_with_no_formula_and_the_same_cells(soffice, tmp_path, titled):  # noqa: F811
    csvs = {f"{name.replace(' ', '-')}.csv": download(titled, url, "csv") for name, url in EXPORTS.items()}
    xlsxs = {f"{name.replace(' ', '-')}.xlsx": download(titled, url, "xlsx") for name, url in EXPORTS.items()}

    opened = {
        "comma": open_all_in_libreoffice(soffice, tmp_path, csvs, CSV_IMPORT),
        "semicolon": open_all_in_libreoffice(soffice, tmp_path, csvs, CSV_IMPORT_SEMICOLON),
        "text": open_all_in_libreoffice(soffice, tmp_path, csvs, CSV_IMPORT_QUOTED_AS_TEXT),
        "xlsx": open_all_in_libreoffice(soffice, tmp_path, xlsxs),
    }

    for separator in ("comma", "semicolon", "text"):
        for sheet in opened[separator].values():
            assert_nothing_can_run(sheet)
    for sheet in opened["xlsx"].values():
        assert_nothing_evaluated(sheet)  # text cells hold the titles as typed: nothing to neutralise
    for name, raw in csvs.items():
        assert sheet_cells(opened["text"][name]) == csv_cells(raw), name
        titles = [row[0] for row in sheet_cells(opened["comma"][name])[1:]]
        assert "'" + PEEL_TITLE in titles, name
    for name, raw in xlsxs.items():
        written = to_seconds(sheet_cells(load_workbook(io.BytesIO(raw)).active))
        assert to_seconds(sheet_cells(opened["xlsx"][name])) == written, name
        titles = {row[0] for row in written[1:]}
        assert {PEEL_TITLE, MESO_TITLE} <= titles, name
