"""Spreadsheet-safe cells: the one policy for every CSV and XLSX this plugin writes.

A value someone else typed (a patient's answer, a staff note, a page title an
editor chose) must reach the person opening the file as that text: never as a
formula a spreadsheet runs, never split into two cells, never turned into a number.

Formulas (OWASP "CSV injection"):

- XLSX: every text value is a text cell (type ``s``, number format ``@`` "Text"),
  holding the value exactly as stored. A text cell is never evaluated and is never
  read as a number, so ``=1+2`` stays ``=1+2`` and ``0123`` stays ``0123``.
- CSV has no cell types, so ``neutralise`` puts one apostrophe before a value that
  starts with a tab or a carriage return, or whose first character that is not a
  space, control, format (zero-width) or combining character or a double quote is
  ``=``, ``+``, ``-`` or ``@`` or a look-alike of one (full-width ``＝``, small ``﹦``...: anything whose
  compatibility form starts with a trigger); and inside a value, after a ``,``,
  ``;``, tab or line break that such text follows (see below). The apostrophe stays
  visible: that is the price of a format that cannot say "this is text".

Separators: a spreadsheet picks the CSV separator from the locale (``;`` in German,
Spanish, French... Excel; LibreOffice asks and remembers), so every CSV cell is
quoted (``csv.QUOTE_ALL``). Opened with the separator it was written with (``,``),
a ``,``, ``;``, tab, quote or line break inside a value never cuts it. Opened with
another one, the cells of a row run together (``,`` is then text), and a reader
that only honours quotes at the start of a cell (Python's ``csv``; LibreOffice at a
quoted line break) cuts where the value has that separator or a line break: so
every such place that is followed by a formula is neutralised too, and no cell a
spreadsheet makes of the file, with any of ``,``, ``;`` or tab, starts a formula
(``x;=1+2;y`` is written ``x;'=1+2;y``).

Numbers that are text: in XLSX they stay text (above). A CSV cannot carry that,
and every way of forcing it is worse (``="0123"`` is a formula; a visible
apostrophe or an invisible character changes the data any program reads), so a
CSV holds the value as stored and a spreadsheet may show ``0123`` as ``123``: use
the XLSX, or tick "Format quoted field as text" in LibreOffice's import dialog
(every cell is quoted), when leading zeros matter. Numbers the code itself writes
(counts, scores) are written as numbers in both formats.

Use ``CsvRows`` and ``XlsxTextSheet`` for exports written by hand (``xlsx_cell`` for
openpyxl's write-only sheets), and
``SafeSpreadsheetExportMixin`` on any view built on Wagtail's
``SpreadsheetExportMixin`` (reports, snippet and modeladmin listings): Wagtail's
own export quotes only cells holding ``,``, ``"`` or a line break and leaves text
starting with ``+``, ``-`` or ``@`` live.
"""

# This module exists twice, byte for byte: as lead_forms/spreadsheet.py and as
# treatment_pages/spreadsheet.py. The two apps install and run without each other, so
# neither may import the other, and the policy is small, pure Python. A test
# (tests/apps/test_spreadsheet.py) fails when the copies differ and runs the same
# property tests on both: change one, copy it over the other.

import csv
import datetime
import decimal
import re
import unicodedata

FORMULA_TRIGGERS = frozenset("=+-@")
# Cells starting with these are neutralised whatever follows (OWASP): a spreadsheet may
# drop them and read the rest as a formula.
LEADING_TRIGGERS = frozenset("\t\r")
# Characters a spreadsheet may skip or that hide what follows: controls, zero-width
# and other format characters, spaces, combining marks, private-use and unassigned.
_SKIPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
_STARTS_FORMULA = FORMULA_TRIGGERS | LEADING_TRIGGERS
# Where a reader using another separator, or breaking rows at a quoted line break, starts a cell.
_CELL_BREAKS = frozenset(",;\t\r\n")
_CELL_BREAK_RE = re.compile("([,;\t\r\n])")
BOM = "\ufeff"
# Control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, without importing openpyxl per value).
_XML_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_NUMBERS = (int, float, decimal.Decimal)


def could_be_formula(value):
    """Whether a spreadsheet could read the text ``value`` as a formula (see the module docstring)."""
    if value[:1] in LEADING_TRIGGERS:
        return True
    return _first_visible_is_trigger(value)


def _first_visible_is_trigger(text):
    # Quotes too: a reader takes ``"=1`` for a quoted ``=1`` when a cell starts there.
    for char in text:
        if char == '"' or char.isspace() or unicodedata.category(char) in _SKIPPED_CATEGORIES:
            continue
        return char in FORMULA_TRIGGERS or unicodedata.normalize("NFKC", char)[:1] in FORMULA_TRIGGERS
    return False


def _neutralise_start(value):
    first = value[0]
    if first in _STARTS_FORMULA:
        return "'" + value
    if first.isascii() and first.isalnum():  # most cells: no look-alike to normalise
        return value
    if first.isalnum() and unicodedata.normalize("NFKC", first)[:1] not in FORMULA_TRIGGERS:
        return value
    return "'" + value if could_be_formula(value) else value


def neutralise(value):
    """The text ``value`` as a CSV cell: an apostrophe wherever a spreadsheet could start running it.

    Before the value when it could be a formula (see the module docstring); and, inside
    it, after a ``,``, ``;``, tab or line break followed by what could start a formula:
    a spreadsheet that opens the file with another separator than the one it was
    written with (or breaks its rows at a quoted line break, as LibreOffice does then)
    starts a cell there. Leading quotes are looked through, here and at the start: a
    reader takes ``"=1`` for a quoted ``=1``. The first character decides almost
    always, so that is checked before the full scan.
    """
    if not value:
        return value
    start = _neutralise_start(value)
    if _CELL_BREAKS.isdisjoint(value):
        return start
    pieces = _CELL_BREAK_RE.split(value)
    for index in range(2, len(pieces), 2):
        if _first_visible_is_trigger(pieces[index]):
            pieces[index] = "'" + pieces[index]
    return ("'" if start is not value else "") + "".join(pieces)


def csv_text(value):
    """Any value as CSV cell text: numbers as written, ``None`` empty, everything else neutralised text."""
    if value.__class__ is str:  # almost every cell: checked first
        return neutralise(value)
    if value is None:
        return ""
    if isinstance(value, _NUMBERS) and not isinstance(value, bool):
        return str(value)
    return neutralise(value if isinstance(value, str) else str(value))


class _Line:
    """A file-like target for ``csv.writer`` that hands each written line back."""

    def write(self, text):
        return text


class CsvRows:
    """Turns rows of values into CSV lines (``\\r\\n``-terminated), every cell quoted and neutralised.

    ``row(values)`` returns one line; put ``BOM`` before the first line of a file so
    that Excel reads it as UTF-8.
    """

    def __init__(self):
        self._writer = csv.writer(_Line(), quoting=csv.QUOTE_ALL)

    def row(self, values):
        return self._writer.writerow([csv_text(value) for value in values])


def xlsx_text(value):
    """``value`` without the control characters XLSX's XML cannot hold (dropping them is the only option),
    its line breaks as ``\\n`` (what XML reads a ``\\r`` as anyway)."""
    # isprintable() is a fast C check that lets almost every value skip the regex.
    if value.isprintable():
        return value
    return _XML_ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def xlsx_cell(sheet, value, date_format=None):
    """An openpyxl write-only cell for ``value``: text as a "Text" cell, never a formula or a number.

    Numbers and dates the code wrote stay numbers and dates (``date_format`` for
    dates and times, when given); ``None`` is an empty cell; anything else is its text.
    openpyxl turns any string starting with ``=`` into a formula, so the type is set
    back to text after the value.
    """
    from openpyxl.cell import WriteOnlyCell

    if value is None or (isinstance(value, _NUMBERS) and not isinstance(value, bool)):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.date | datetime.time):
        cell = WriteOnlyCell(sheet, value=value)
        if date_format:
            cell.number_format = date_format
        return cell
    cell = WriteOnlyCell(sheet, value=xlsx_text(value if isinstance(value, str) else str(value)))
    cell.data_type = "s"
    cell.number_format = "@"
    return cell


# Column widths in characters: room for a short heading, and no wider than a screen's share.
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    # Style 1: the "Text" number format (@, id 49), so a cell someone edits later stays text too.
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _xml_escape(text):
    # str.replace runs in C: several times faster than str.translate with a mapping.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _column_letter(index):
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class XlsxTextSheet:
    """A one-sheet XLSX of text cells, written a row at a time in constant memory, columns sized to content.

    ``row(values)`` writes every value as an inline text cell (``t="inlineStr"``) with the
    "Text" number format ``@``: never a formula, a number or a link, whatever it starts
    with, so ``=1+2`` and ``0123`` stay as typed. ``None`` is an empty cell. ``close()``
    finishes the file.

    The sheet's XML is written here rather than through a library: the format needs
    nothing else (inline strings, one style), and a cell costs a string join and an
    escape instead of the several microseconds openpyxl's write-only mode or XlsxWriter's
    constant-memory mode spend on each (100,000 requests took three and a half times as
    long as the CSV with XlsxWriter, 4.5 times with openpyxl). Rows go to a temporary file as
    they are written, so memory stays flat; the column widths, which the XML puts before
    the rows, are known when the sheet is closed, so each fits the longest line of its
    whole column (between ``MIN_COLUMN_WIDTH`` and ``MAX_COLUMN_WIDTH`` characters). The
    tests open what it writes in LibreOffice and openpyxl.
    """

    def __init__(self, fileobj, title="Sheet1"):
        import tempfile

        self.fileobj = fileobj
        self.title = title
        self.rows_xml = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self.widths = []
        self.letters = []
        self.rows = 0

    def row(self, values):
        widths, letters = self.widths, self.letters
        self.rows += 1
        number = self.rows
        cells = []
        for column, value in enumerate(values):
            if column >= len(widths):
                widths.append(0)
                letters.append(_column_letter(column))
            if value is None:
                continue
            if value.__class__ is not str:
                value = str(value)
            if not value.isprintable():
                value = xlsx_text(value)
            width = max(map(len, value.split("\n"))) if "\n" in value else len(value)
            if width > widths[column]:
                widths[column] = width
            cells.append(
                f'<c r="{letters[column]}{number}" s="1" t="inlineStr"><is><t xml:space="preserve">'
                f"{_xml_escape(value)}</t></is></c>"
            )
        self.rows_xml.write(f'<row r="{number}">{"".join(cells)}</row>')

    def close(self):
        import zipfile

        self.rows_xml.seek(0)
        columns = "".join(
            f'<col min="{index}" max="{index}" width="{min(max(width + 1, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH)}" '
            'customWidth="1"/>'
            for index, width in enumerate(self.widths, start=1)
        )
        title = _xml_escape(self.title).replace('"', "&quot;")
        workbook = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        # Level 1: about as small as the default level for this repetitive XML, in a fraction of the time.
        with zipfile.ZipFile(self.fileobj, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, text in _XLSX_PARTS.items():
                archive.writestr(name, text)
            archive.writestr("xl/workbook.xml", workbook)
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                if columns:
                    sheet.write(f"<cols>{columns}</cols>".encode())
                sheet.write(b"<sheetData>")
                while block := self.rows_xml.read(1 << 20):
                    sheet.write(block.encode())
                sheet.write(b"</sheetData></worksheet>")
        self.rows_xml.close()


class SafeSpreadsheetExportMixin:
    """Wagtail's ``SpreadsheetExportMixin`` writing through this policy; list it before the Wagtail view.

    Overrides the mixin's public ``stream_csv`` (BOM, every cell quoted and
    neutralised) and ``write_xlsx`` (text cells, headings included). Rows still come
    from the view's ``to_row_dict`` and ``preprocess_field_value``, so a view's own
    columns and value formatting are kept.
    """

    def stream_csv(self, queryset):
        rows = CsvRows()
        yield BOM + rows.row(self.get_heading(queryset, field) for field in self.list_export)
        for item in queryset:
            yield rows.row(
                self.preprocess_field_value(field, value, self.FORMAT_CSV)
                for field, value in self.to_row_dict(item).items()
            )

    def write_xlsx(self, queryset, output):
        from openpyxl import Workbook
        from wagtail.admin.views.mixins import ExcelDateFormatter

        workbook = Workbook(write_only=True, iso_dates=True)
        sheet = workbook.create_sheet(title="Sheet1")
        sheet.append([xlsx_cell(sheet, self.get_heading(queryset, field)) for field in self.list_export])
        date_format = ExcelDateFormatter().get()
        for item in queryset:
            sheet.append(
                [
                    xlsx_cell(sheet, self.preprocess_field_value(field, value, self.FORMAT_XLSX), date_format)
                    for field, value in self.to_row_dict(item).items()
                ]
            )
        workbook.save(output)
