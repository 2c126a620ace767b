"""CSV and XLSX export of appointment requests, streamed and safe to open in a spreadsheet.

Shared by the staff inbox, Wagtail's per-form submissions view, the
``export_appointment_requests`` command and the API:

- ``export_columns(pages)``: the columns, a form's fields labelled and ordered as in the form;
- ``csv_chunks(queryset, columns)``: a generator of UTF-8 bytes (BOM first) for ``StreamingHttpResponse``;
- ``write_xlsx(queryset, columns, fileobj)``: an XLSX workbook written in constant memory
  (``spreadsheet.XlsxTextSheet``), its columns sized to their content;
- ``export_stream(fmt, queryset, columns)``: the one entry point every export path calls;
- ``export_response(fmt, queryset, columns)``: that stream as a download, for the web paths;
- ``filter_requests(queryset, page=, since=, until=, status=, spam=)``: the inbox's filters as a function.

Rows are read with ``.values_list(...).iterator()``, so memory stays flat
whatever the number of requests. Every cell goes through ``lead_forms.spreadsheet``,
the one spreadsheet-safe policy of every export the plugin writes: no value ever
becomes a formula (text cells in the XLSX; in the CSV an apostrophe before it, and
inside it wherever a spreadsheet opening the file with ``;`` or tab would start a
cell); every CSV cell is quoted, so no ``,``, ``;``, tab or line break in an answer
splits it with the file's own separator; in the XLSX an answer such as ``0123``
stays text (a CSV cannot say so: see ``lead_forms.spreadsheet``).

Phone answers are written as people read them, which also keeps a spreadsheet from
reading them as numbers: requests store them formatted when they arrive
(``lead_forms.submissions.phones.clean_phone``), so the export copies them; only
numbers stored before that (bare digits) are formatted here (``display_phone``).

"Received" is in the site's time zone (or the user's own, from their Wagtail account),
named in the heading and carried by each value as its UTC offset.

Date filters accept ``FIRST_DAY``..``LAST_DAY`` (``check_filter_date``): the end
of ``until``'s day must still be a date Python and the database can hold.
"""

import datetime
import tempfile
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from lead_forms.conf import app_settings

from ..models import AppointmentFormPage, AppointmentSubmission
from ..models.submissions import format_value  # noqa: F401 - one cell's text, also used by callers of export
from ..spreadsheet import BOM, CsvRows, XlsxTextSheet
from ..submissions.phones import display_phone

CHUNK_SIZE = 2000  # rows per database round trip
ROWS_PER_YIELD = 200  # rows joined into one chunk of the response body
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

STATUS_LABELS = dict(AppointmentSubmission.Status.choices)

# The dates a filter accepts. ``until`` ends at the start of the next day, in the site's
# time zone, converted to UTC by the database: 9999-12-31 would overflow both.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9998, 12, 31)


@dataclass(frozen=True)
class Column:
    """One export column: ``key`` is a field's ``clean_name`` or one of the fixed keys below.

    ``kind`` is ``"phone"`` for phone answers (formatted for people), else ``"text"``.
    """

    key: str
    label: str
    kind: str = "text"


REFERENCE = Column("__reference", "Reference")
RECEIVED = Column("__received", "Received")
STATUS = Column("__status", "Status")
FORM_PAGE = Column("__page", "Form page")
SPAM = Column("__spam", "Suspected spam")
# Only when an export asks for it (``with_notes``): notes are staff's, not the patient's answers.
NOTES = Column("__notes", "Staff notes")


def check_filter_date(value):
    """``value`` (a date) if the date filters can use it; else ``ValueError`` saying what to type instead.

    Called by every surface that reads a date filter (the inbox, the API, the command),
    so a person sees the message, and by ``filter_requests`` as a last guard.
    """
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(
            gettext(
                "%(date)s is out of range: enter a date from %(first)s to %(last)s (YYYY-MM-DD), "
                "or leave it empty for no limit."
            )
            % {"date": value.isoformat(), "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        )
    return value


def filter_requests(queryset=None, *, page=None, since=None, until=None, status=None, spam=None):
    """Narrow ``queryset`` (default: every request) the way the inbox filters do.

    ``since``/``until`` are dates, inclusive, in the site's time zone; ``status``
    one of ``AppointmentSubmission.Status``; ``spam`` None hides suspected spam,
    ``"include"`` keeps it, ``"only"`` keeps nothing else. Start from
    ``permissions.submissions_for_user(user)`` when serving a user. A date outside
    ``FIRST_DAY``..``LAST_DAY`` raises ``ValueError`` (``check_filter_date``).
    """
    for day in (since, until):
        if day is not None:
            check_filter_date(day)
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


def format_received(moment, tz=None):
    """``moment`` in the current time zone as ``YYYY-MM-DD HH:MM:SS±HH:MM`` (its UTC offset included)."""
    if not moment:
        return ""
    return moment.astimezone(tz or timezone.get_current_timezone()).isoformat(sep=" ", timespec="seconds")


def received_column():
    """The "Received" column, its heading naming the time zone its values are in."""
    return Column(
        RECEIVED.key,
        gettext("Received (%(time_zone)s)") % {"time_zone": timezone.get_current_timezone_name()},
    )


def export_columns(pages, *, with_page=None, with_spam=True, with_notes=False):
    """Columns for requests of ``pages`` (AppointmentFormPage objects or a queryset).

    Reference, received date and status first; then, when more than one form
    is exported, the form page; then every form field labelled and ordered as
    in the form (fields of further forms follow, a field shared by name appears
    once); the spam reason; the staff notes last, and only ``with_notes``.
    """
    pages = list(pages)
    if with_page is None:
        with_page = len(pages) != 1
    columns = [REFERENCE, received_column(), STATUS]
    if with_page:
        columns.append(FORM_PAGE)
    seen = set()
    for page in pages:
        for field in page.get_form_fields():
            if field.clean_name not in seen:
                seen.add(field.clean_name)
                kind = "phone" if field.field_type == "phone" else "text"
                columns.append(Column(field.clean_name, field.label, kind))
    if with_spam:
        columns.append(SPAM)
    if with_notes:
        columns.append(NOTES)
    return columns


def _notes_by_request(pks, tz):
    """The staff notes of the requests ``pks``, oldest first, as one text per request."""
    from ..models import StaffNote, open_value

    texts = {}
    notes = (
        StaffNote.objects.filter(submission_id__in=pks)
        .order_by("created_at", "pk")
        .values_list(
            "submission_id",
            "created_at",
            "user__first_name",
            "user__last_name",
            "user__username",
            "text",
            "row_uuid",
        )
    )
    for pk, created_at, first, last, username, sealed, row_uuid in notes:
        text = open_value(StaffNote, "text", sealed, row_uuid)
        author = f"{first} {last}".strip() or username or "a deleted user"
        texts.setdefault(pk, []).append(f"{format_received(created_at, tz)} {author}: {text}")
    return {pk: "\n".join(lines) for pk, lines in texts.items()}


def _with_notes(rows, chunk_size, tz):
    """``rows`` (tuples starting with the pk) in batches, each row followed by its notes text."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk_size:
            notes = _notes_by_request([r[0] for r in batch], tz)
            yield from ((*r, notes.get(r[0], "")) for r in batch)
            batch = []
    if batch:
        notes = _notes_by_request([r[0] for r in batch], tz)
        yield from ((*r, notes.get(r[0], "")) for r in batch)


def pages_for(queryset):
    """The form pages that ``queryset``'s requests belong to, in tree order.

    One EXISTS per form page (a handful, each an index probe) rather than a
    DISTINCT over every request, so the export's first byte does not wait on it.
    """
    requests = queryset.order_by().filter(page_id=OuterRef("pk"))
    return AppointmentFormPage.objects.filter(Exists(requests)).order_by("path")


def iter_rows(queryset, columns, *, chunk_size=CHUNK_SIZE, page_titles=None):
    """Yield one list of cell texts per request, oldest first, without loading them all.

    The texts are as stored (phone answers formatted for people): each format
    makes them safe its own way (``spreadsheet.CsvRows`` for CSV, ``spreadsheet.XlsxTextSheet`` for XLSX).

    The hot loop of every export: it reads plain tuples (no model instances)
    and does as little per cell as it can.
    """
    if page_titles is None and FORM_PAGE in columns:
        page_titles = dict(pages_for(queryset).values_list("pk", "title"))
    page_titles = page_titles or {}
    tz = timezone.get_current_timezone()
    # Per column: an index into the fixed values below, or the answer's key in form_data.
    fixed_index = {
        REFERENCE.key: 0,
        RECEIVED.key: 1,
        STATUS.key: 2,
        FORM_PAGE.key: 3,
        SPAM.key: 4,
        NOTES.key: 5,
    }
    plan = [(fixed_index.get(column.key), column.key, column.kind == "phone") for column in columns]
    rows = (
        queryset.order_by("submit_time", "pk")
        .values_list(
            "pk", "reference", "submit_time", "status", "page_id", "spam_reason", "form_data", "row_uuid"
        )
        .iterator(chunk_size=chunk_size)
    )
    # Each row's answers opened with its own binding; one that cannot be read shows "[unreadable]".
    open_answers = queryset.model._meta.get_field("form_data").open
    rows = ((*row[:6], open_answers(row[6], row[7])) for row in rows)
    rows = _with_notes(rows, chunk_size, tz) if NOTES in columns else ((*row, "") for row in rows)
    for _pk, reference, submit_time, status, page_id, spam_reason, form_data, notes in rows:
        form_data = form_data or {}
        fixed = (
            reference,
            format_received(submit_time, tz),
            STATUS_LABELS.get(status, status),
            page_titles.get(page_id, ""),
            spam_reason,
            notes,
        )
        row = []
        for index, key, is_phone in plan:
            if index is not None:
                value = fixed[index]
            elif is_phone:
                value = display_phone(format_value(form_data.get(key)))
            else:
                value = format_value(form_data.get(key))
            row.append(value)
        yield row


class RowCounter:
    """Counts rows as an export streams them (read ``.rows`` when it is done)."""

    def __init__(self):
        self.rows = 0


def csv_chunks(queryset, columns, *, counter=None, bom=True, chunk_size=CHUNK_SIZE, progress=None):
    """Yield the CSV as UTF-8 bytes: BOM and header at once, then rows in batches.

    The header goes out before the database is queried, so the first byte is
    immediate; ``counter.rows`` ends as the number of data rows sent.
    """
    writer = CsvRows()
    yield ((BOM if bom else "") + writer.row(column.label for column in columns)).encode()
    batch = []
    for row in iter_rows(queryset, columns, chunk_size=chunk_size):
        batch.append(writer.row(row))
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


def write_xlsx(queryset, columns, fileobj, *, counter=None, chunk_size=CHUNK_SIZE, progress=None):
    """Write the requests as an XLSX workbook to ``fileobj``; return the row count.

    Every cell is a text cell holding the value as stored (``spreadsheet.XlsxTextSheet``):
    no apostrophe, no formula, no number, so leading zeros and ``+`` signs stay. Memory
    stays flat (rows go to a temporary file as they are written); the columns are sized
    to the longest value of each.
    """
    sheet = XlsxTextSheet(fileobj, "Appointment requests")
    sheet.row([column.label for column in columns])
    rows = 0
    for row in iter_rows(queryset, columns, chunk_size=chunk_size):
        sheet.row(row)
        rows += 1
        if progress is not None and rows % ROWS_PER_YIELD == 0:
            progress(rows)
    sheet.close()
    if progress is not None:
        progress(rows)
    if counter is not None:
        counter.rows = rows
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


def _file_blocks(fileobj, block_size=64 * 1024):
    with fileobj:
        while block := fileobj.read(block_size):
            yield block


def export_stream(fmt, queryset, columns, *, on_complete=None, progress=None):
    """The export of ``queryset`` in ``fmt`` (one of ``FORMATS``) as an iterator of bytes.

    The one entry point every export path calls: the inbox, a form's submissions
    view and the API through ``export_response``, the ``export_appointment_requests``
    command directly. ``on_complete(rows)`` records the export: for a CSV when the
    stream ends (the count is what was sent); for an XLSX once the workbook is built
    (a zip cannot be sent before it is complete, so it is written to a temporary file first).
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")
    if fmt == "xlsx":
        fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _file_blocks
        rows = write_xlsx(queryset, columns, fileobj, progress=progress)
        fileobj.seek(0)
        if on_complete is not None:
            on_complete(rows)
        return _file_blocks(fileobj)
    counter = RowCounter()
    return _audited(csv_chunks(queryset, columns, counter=counter, progress=progress), on_complete, counter)


def export_response(fmt, queryset, columns, filename_stem_page=None, *, on_complete=None):
    """The export as a download: ``export_stream`` in a ``StreamingHttpResponse``, never stored by a cache."""
    content_type = XLSX_CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = StreamingHttpResponse(
        export_stream(fmt, queryset, columns, on_complete=on_complete), content_type=content_type
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export_filename(fmt, filename_stem_page)
    )
    response["Cache-Control"] = "no-store"
    return response
