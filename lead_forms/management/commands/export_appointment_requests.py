"""Export appointment requests to a CSV or XLSX file, for very large or scheduled exports."""

import datetime
import os
import sys
import tempfile

from django.core.management.base import BaseCommand, CommandError

from lead_forms.inbox import audit, export
from lead_forms.models import AppointmentFormPage, AppointmentSubmission


def parse_date(value, option):
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-01-31.") from None
    try:
        return export.check_filter_date(day)
    except ValueError as error:
        raise CommandError(f"{option} {error}") from None


class Command(BaseCommand):
    help = (
        "Write appointment requests to FILE as CSV (UTF-8 with BOM, every cell quoted) or XLSX (text cells), "
        "with the same columns and spreadsheet safety as the admin export. Suspected spam is left out unless --spam include|only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, metavar="FILE", help="file to write (replaced)")
        parser.add_argument(
            "--format", choices=export.FORMATS, help="csv or xlsx (default: from FILE's extension)"
        )
        parser.add_argument("--form", metavar="SLUG", help="only this appointment form page")
        parser.add_argument("--since", metavar="DATE", help="received on or after this date (YYYY-MM-DD)")
        parser.add_argument("--until", metavar="DATE", help="received on or before this date (YYYY-MM-DD)")
        parser.add_argument("--status", choices=AppointmentSubmission.Status.values)
        parser.add_argument("--spam", choices=["include", "only"], help="include suspected spam, or only it")
        parser.add_argument(
            "--with-notes",
            action="store_true",
            help="add a column with the staff notes (left out by default)",
        )

    def handle(
        self,
        *args,
        output,
        format=None,
        form=None,
        since=None,
        until=None,
        status=None,
        spam=None,
        with_notes=False,
        **opts,
    ):
        fmt = format or ("xlsx" if output.lower().endswith(".xlsx") else "csv")
        since_date = parse_date(since, "--since") if since else None
        until_date = parse_date(until, "--until") if until else None
        if since_date and until_date and since_date > until_date:
            raise CommandError(f"--since {since} is after --until {until}.")
        page = None
        if form:
            page = AppointmentFormPage.objects.filter(slug=form).first()
            if page is None:
                known = ", ".join(AppointmentFormPage.objects.order_by("slug").values_list("slug", flat=True))
                raise CommandError(f"No appointment form with slug {form!r}. Known forms: {known or 'none'}.")
        queryset = export.filter_requests(
            page=page, since=since_date, until=until_date, status=status, spam=spam
        )
        columns = export.export_columns(
            [page] if page else export.pages_for(queryset), with_page=page is None, with_notes=with_notes
        )
        progress = self.progress_bar(queryset.count()) if sys.stderr.isatty() else None

        directory = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(directory):
            raise CommandError(f"Directory {directory} does not exist.")
        filters = {
            "form": page.pk if page else None,
            "since": since,
            "until": until,
            "status": status,
            "spam": spam,
            "notes": "include" if with_notes else None,
        }
        exported = []

        def on_complete(rows):
            exported.append(rows)
            audit.log_export(None, fmt=fmt, rows=rows, filters=filters, page=page, source="command")

        # Written next to the target and renamed at the end: a scheduled job never leaves half a file.
        handle, partial = tempfile.mkstemp(dir=directory, prefix=".export-", suffix="." + fmt)
        try:
            with os.fdopen(handle, "wb") as fileobj:
                for chunk in export.export_stream(
                    fmt, queryset, columns, on_complete=on_complete, progress=progress
                ):
                    fileobj.write(chunk)
            os.replace(partial, output)
        except BaseException:
            if os.path.exists(partial):
                os.unlink(partial)
            raise
        if progress is not None:
            sys.stderr.write("\n")
        rows = exported[0]
        self.stdout.write(f"Exported {rows} appointment request(s) to {output} ({fmt.upper()}).")

    def progress_bar(self, total):
        width = 30

        def show(done):
            done = done or 0
            share = done / total if total else 1
            bar = "#" * int(share * width)
            sys.stderr.write(f"\r[{bar:<{width}}] {done}/{total} requests")
            sys.stderr.flush()

        return show
