"""CSV and XLSX export of appointment requests, streamed and safe to open in a spreadsheet.

Shared by the staff inbox, Wagtail's per-form submissions view, the
``export_appointment_requests`` command and the API:

- ``export_columns(pages)``: the columns, a form's fields labelled and ordered as in the form;
- ``csv_chunks(queryset, columns)``: a generator of UTF-8 bytes (BOM first) for ``StreamingHttpResponse``;
- ``write_xlsx(queryset, columns, fileobj)``: an XLSX workbook written in openpyxl's write-only mode;
- ``csv_response`` / ``xlsx_response``: ready HTTP responses;
- ``filter_requests(queryset, page=, since=, until=, status=, spam=)``: the inbox's filters as a function.

Rows are read with ``.values_list(...).iterator()``, so memory stays flat
whatever the number of requests, and every text cell that a spreadsheet would
read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
return) gets one leading apostrophe (OWASP "CSV injection").
"""

import csv
import datetime
import tempfile
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from lead_forms.conf import app_settings

from .models import AppointmentFormPage, AppointmentSubmission
from .models.submissions import format_value  # noqa: F401 - one cell's text, also used by callers of export

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_SIZE = 2000  # rows per database round trip
ROWS_PER_YIELD = 200  # rows joined into one chunk of the response body
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

STATUS_LABELS = dict(AppointmentSubmission.Status.choices)


@dataclass(frozen=True)
class Column:
    """One export column: ``key`` is a field's ``clean_name`` or one of the fixed keys below."""

    key: str
    label: str


REFERENCE = Column("__reference", "Reference")
RECEIVED = Column("__received", "Received")
STATUS = Column("__status", "Status")
FORM_PAGE = Column("__page", "Form page")
SPAM = Column("__spam", "Suspected spam")


def filter_requests(queryset=None, *, page=None, since=None, until=None, status=None, spam=None):
    """Narrow ``queryset`` (default: every request) the way the inbox filters do.

    ``since``/``until`` are dates, inclusive, in the site's time zone; ``status``
    one of ``AppointmentSubmission.Status``; ``spam`` None hides suspected spam,
    ``"include"`` keeps it, ``"only"`` keeps nothing else. Start from
    ``permissions.submissions_for_user(user)`` when serving a user.
    """
    queryset = AppointmentSubmission.objects.all() if queryset is None else queryset
    if page is not None:
        queryset = queryset.filter(page=page)
    tz = timezone.get_current_timezone()
    if since is not None:
        queryset = queryset.filter(
            submit_time__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=tz)
        )
    if until is not None:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        queryset = queryset.filter(submit_time__lt=end)
    if status:
        queryset = queryset.filter(status=status)
    if spam == "only":
        return queryset.filter(is_spam=True)
    if spam == "include":
        return queryset
    return queryset.filter(is_spam=False)


def neutralise(value):
    """``value`` with one leading apostrophe if a spreadsheet would run it as a formula."""
    if value and value[0] in _TRIGGER_SET:
        return "'" + value
    return value


_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)


def format_received(moment, tz=None):
    """``moment`` in the site's time zone as ``YYYY-MM-DD HH:MM:SS``."""
    if not moment:
        return ""
    return moment.astimezone(tz or timezone.get_current_timezone()).isoformat(sep=" ", timespec="seconds")[
        :19
    ]


def export_columns(pages, *, with_page=None, with_spam=True):
    """Columns for requests of ``pages`` (AppointmentFormPage objects or a queryset).

    Reference, received date and status first; then, when more than one form
    is exported, the form page; then every form field labelled and ordered as
    in the form (fields of further forms follow, a field shared by name appears
    once); the spam reason last.
    """
    pages = list(pages)
    if with_page is None:
        with_page = len(pages) != 1
    columns = [REFERENCE, RECEIVED, STATUS]
    if with_page:
        columns.append(FORM_PAGE)
    seen = set()
    for page in pages:
        for field in page.get_form_fields():
            if field.clean_name not in seen:
                seen.add(field.clean_name)
                columns.append(Column(field.clean_name, field.label))
    if with_spam:
        columns.append(SPAM)
    return columns


def pages_for(queryset):
    """The form pages that ``queryset``'s requests belong to, in tree order.

    One EXISTS per form page (a handful, each an index probe) rather than a
    DISTINCT over every request, so the export's first byte does not wait on it.
    """
    requests = queryset.order_by().filter(page_id=OuterRef("pk"))
    return AppointmentFormPage.objects.filter(Exists(requests)).order_by("path")


def iter_rows(queryset, columns, *, chunk_size=CHUNK_SIZE, page_titles=None):
    """Yield one list of neutralised cell texts per request, oldest first, without loading them all.

    The hot loop of every export: it reads plain tuples (no model instances)
    and does as little per cell as it can.
    """
    if page_titles is None and FORM_PAGE in columns:
        page_titles = dict(pages_for(queryset).values_list("pk", "title"))
    page_titles = page_titles or {}
    tz = timezone.get_current_timezone()
    # Per column: an index into the fixed values below, or the answer's key in form_data.
    fixed_index = {REFERENCE.key: 0, RECEIVED.key: 1, STATUS.key: 2, FORM_PAGE.key: 3, SPAM.key: 4}
    plan = [(fixed_index.get(column.key), column.key) for column in columns]
    rows = (
        queryset.order_by("submit_time", "pk")
        .values_list("reference", "submit_time", "status", "page_id", "spam_reason", "form_data")
        .iterator(chunk_size=chunk_size)
    )
    triggers = _TRIGGER_SET
    for reference, submit_time, status, page_id, spam_reason, form_data in rows:
        form_data = form_data or {}
        fixed = (
            reference,
            format_received(submit_time, tz),
            STATUS_LABELS.get(status, status),
            page_titles.get(page_id, ""),
            spam_reason,
        )
        row = []
        for index, key in plan:
            value = fixed[index] if index is not None else format_value(form_data.get(key))
            if value and value[0] in triggers:
                value = "'" + value
            row.append(value)
        yield row


class _Line:
    """A file-like ``csv.writer`` target that hands each written line back."""

    def write(self, text):
        return text


class RowCounter:
    """Counts rows as an export streams them (read ``.rows`` when it is done)."""

    def __init__(self):
        self.rows = 0


def csv_chunks(queryset, columns, *, counter=None, bom=True, chunk_size=CHUNK_SIZE, progress=None):
    """Yield the CSV as UTF-8 bytes: BOM and header at once, then rows in batches.

    The header goes out before the database is queried, so the first byte is
    immediate; ``counter.rows`` ends as the number of data rows sent.
    """
    writer = csv.writer(_Line())
    yield ((BOM if bom else "") + writer.writerow([neutralise(column.label) for column in columns])).encode()
    batch = []
    for row in iter_rows(queryset, columns, chunk_size=chunk_size):
        batch.append(writer.writerow(row))
        if counter is not None:
            counter.rows += 1
        if len(batch) >= ROWS_PER_YIELD:
            yield "".join(batch).encode()
            batch = []
            if progress is not None:
                progress(counter.rows if counter is not None else None)
    if batch:
        yield "".join(batch).encode()
    if progress is not None and counter is not None:
        progress(counter.rows)


def _xlsx_text(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters are not allowed in XLSX XML; dropping them is the only faithful option.
    # isprintable() is a fast C check that lets almost every value skip the regex.
    return value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)


def write_xlsx(queryset, columns, fileobj, *, counter=None, chunk_size=CHUNK_SIZE, progress=None):
    """Write the requests as an XLSX workbook to ``fileobj`` (openpyxl write-only mode); return the row count.

    Every value is a string and neutralised like the CSV, so none starts with
    ``=`` and openpyxl stores each as text, never as a formula.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Appointment requests")
    sheet.append([_xlsx_text(neutralise(column.label)) for column in columns])
    rows = 0
    for row in iter_rows(queryset, columns, chunk_size=chunk_size):
        sheet.append([_xlsx_text(value) for value in row])
        rows += 1
        if progress is not None and rows % ROWS_PER_YIELD == 0:
            progress(rows)
    if progress is not None:
        progress(rows)
    if counter is not None:
        counter.rows = rows
    workbook.save(fileobj)
    return rows


def xlsx_too_large(queryset):
    """The row count if ``queryset`` is over ``LEAD_FORMS_XLSX_MAX_ROWS`` for an in-request XLSX, else None."""
    limit = int(app_settings.LEAD_FORMS_XLSX_MAX_ROWS)
    count = queryset.count()
    return count if count > limit else None


def xlsx_too_large_message(count):
    return (
        f"{count} requests are too many for an XLSX download here: download CSV (Excel opens it) "
        "or run the export_appointment_requests command. Narrowing the filters also works."
    )


def export_filename(fmt, page=None, today=None):
    today = today or datetime.date.today()
    stem = f"{page.slug}-requests" if page is not None else "appointment-requests"
    return f"{stem}-{today:%Y-%m-%d}.{fmt}"


def _audited(chunks, on_complete, counter):
    try:
        yield from chunks
    finally:
        # Runs when the last byte is sent or the client goes away: the count is what was sent.
        if on_complete is not None:
            on_complete(counter.rows)


def csv_response(queryset, columns, filename, *, on_complete=None):
    """A ``StreamingHttpResponse`` of the CSV; ``on_complete(rows)`` is called when the stream ends."""
    counter = RowCounter()
    response = StreamingHttpResponse(
        _audited(csv_chunks(queryset, columns, counter=counter), on_complete, counter),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(queryset, columns, filename, *, on_complete=None):
    """A ``FileResponse`` of the XLSX, built in a temporary file (a zip cannot be sent before it is complete)."""
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    rows = write_xlsx(queryset, columns, fileobj)
    fileobj.seek(0)
    if on_complete is not None:
        on_complete(rows)
    response = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def export_response(fmt, queryset, columns, filename_stem_page=None, *, on_complete=None):
    """``csv_response`` or ``xlsx_response`` for ``fmt`` (one of ``FORMATS``)."""
    filename = export_filename(fmt, filename_stem_page)
    if fmt == "xlsx":
        return xlsx_response(queryset, columns, filename, on_complete=on_complete)
    return csv_response(queryset, columns, filename, on_complete=on_complete)
