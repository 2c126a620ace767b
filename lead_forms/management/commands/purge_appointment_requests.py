"""Delete appointment requests older than each site's retention setting (run daily)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from wagtail.models import Site

from lead_forms.inbox import audit
from lead_forms.models import AppointmentFormPage, AppointmentRequestSettings, AppointmentSubmission

BATCH_SIZE = 2000


def delete_in_batches(queryset, batch_size=BATCH_SIZE):
    """Delete ``queryset`` a batch at a time (short transactions, bounded memory); return the count."""
    deleted = 0
    while True:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        AppointmentSubmission.objects.filter(pk__in=pks).delete()
        deleted += len(pks)


class Command(BaseCommand):
    help = (
        "Delete appointment requests received longer ago than the site's retention setting "
        "(Settings → Appointment request retention; 365 days by default)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="delete every stored request whatever its age (before removing the plugin; export first)",
        )

    def expired_by_site(self, now):
        """(site, cutoff, queryset) for each site; forms outside every site follow the default site."""
        sites = list(Site.objects.order_by("-is_default_site", "pk"))
        claimed = set()
        plans = []
        for site in sites:
            days = AppointmentRequestSettings.for_site(site).retention_days
            cutoff = now - datetime.timedelta(days=days)
            pages = AppointmentFormPage.objects.descendant_of(site.root_page, inclusive=True).exclude(
                pk__in=claimed
            )
            page_ids = set(pages.values_list("pk", flat=True))
            claimed |= page_ids
            plans.append((site, cutoff, days, AppointmentSubmission.objects.filter(page_id__in=page_ids)))
        orphans = AppointmentFormPage.objects.exclude(pk__in=claimed).values_list("pk", flat=True)
        if sites and orphans:
            site, cutoff, days, _queryset = plans[0]
            plans.append(
                (site, cutoff, days, AppointmentSubmission.objects.filter(page_id__in=list(orphans)))
            )
        return [
            (site, cutoff, days, queryset.filter(submit_time__lt=cutoff))
            for site, cutoff, days, queryset in plans
        ]

    def handle(self, *args, dry_run=False, everything=False, **options):
        if everything:
            return self.purge_everything(dry_run)
        total = 0
        for site, cutoff, days, expired in self.expired_by_site(timezone.now()):
            if dry_run:
                count = expired.count()
            else:
                count = delete_in_batches(expired)
                if count:
                    audit.log_delete(None, count=count, source="purge", page=None, request=None)
            total += count
            verb = "Would delete" if dry_run else "Deleted"
            self.stdout.write(
                f"{site}: {verb} {count} appointment request(s) received before "
                f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M} (kept {days} days)."
            )
        self.stdout.write(
            f"{'Would delete' if dry_run else 'Deleted'} {total} appointment request(s) in total."
        )

    def purge_everything(self, dry_run):
        """Every request, whatever its age: the uninstall path (docs/uninstall.md), audited like a purge."""
        requests = AppointmentSubmission.objects.all()
        if dry_run:
            count = requests.count()
        else:
            count = delete_in_batches(requests)
            if count:
                audit.log_delete(None, count=count, source="purge", page=None, request=None)
        self.stdout.write(
            f"{'Would delete' if dry_run else 'Deleted'} {count} appointment request(s) in total."
        )
