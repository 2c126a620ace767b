"""Delete every appointment request sent by one person (right to erasure)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from lead_forms.inbox import audit
from lead_forms.management.commands.purge_appointment_requests import delete_in_batches
from lead_forms.models import AppointmentSubmission


def requests_from(email):
    """Every request with ``email`` (case-insensitive) as an answer, in any email field of any form.

    Answers are encrypted: the match is on the email search tokens (``lead_forms.encryption.blind_index``).
    """
    return AppointmentSubmission.objects.search(email)


class Command(BaseCommand):
    help = (
        "Delete every appointment request from EMAIL (matched case-insensitively), e.g. on a erasure request."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--dry-run", action="store_true", help="count the matching requests, delete nothing"
        )

    def handle(self, *args, email, dry_run=False, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        matches = requests_from(email)
        if dry_run:
            self.stdout.write(f"Would delete {matches.count()} appointment request(s) from that address.")
            return
        count = delete_in_batches(matches)
        if count:
            # The address itself is personal data: the log keeps the count only.
            audit.log_delete(None, count=count, source="erasure")
        self.stdout.write(f"Deleted {count} appointment request(s) from that address.")
