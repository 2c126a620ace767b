"""Email each clinical reviewer a digest of their due, overdue and low-rated articles.

Run it daily from a scheduler (cron), or pass ``--enqueue`` to hand the job to the
django-tasks worker instead. The digest holds article titles, reasons and admin links only.
"""

from django.core.management.base import BaseCommand

from treatment_pages.review.service import send_review_digests
from treatment_pages.tasks import send_review_digest


class Command(BaseCommand):
    help = (
        "Email each clinical reviewer the articles due or overdue for review (titles and admin links only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the digest for the task worker instead of sending now.",
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            result = send_review_digest.enqueue()
            self.stdout.write(f"Queued the review digest (task {result.id}).")
            return
        sent = send_review_digests()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} review digest email(s)."))
