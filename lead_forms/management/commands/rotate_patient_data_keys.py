"""Re-encrypt every appointment request under the newest key and rebuild search tokens."""

import sys

from django.core.management.base import BaseCommand

from lead_forms.encryption import crypto, rotation


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored appointment request with the first key of LEAD_FORMS_ENCRYPTION_KEYS and "
        "rebuild search tokens made with an older LEAD_FORMS_SEARCH_KEY, in batches; values of the first "
        "format (not bound to their row) are re-sealed bound to it. Safe to interrupt "
        "and run again: it continues with the rows still under an old key. Keep the old keys listed "
        "(after the new one) on every server until it has finished."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=rotation.DEFAULT_BATCH_SIZE,
            help=f"requests per transaction (default {rotation.DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count the requests to re-encrypt, change nothing"
        )

    def handle(self, *args, batch_size=rotation.DEFAULT_BATCH_SIZE, dry_run=False, **options):
        keyring, search_keys = crypto.get_keyring(), crypto.get_search_keys()
        target = f"key {keyring.newest_id}, search key {search_keys.newest_id}"
        if dry_run:
            count = rotation.stale_count()
            self.stdout.write(f"{count} appointment request(s) to re-encrypt under {target}.")
            return
        progress = self.progress_bar if sys.stderr.isatty() else None
        count = rotation.rotate(batch_size=max(1, batch_size), progress=progress)
        if progress is not None:
            sys.stderr.write("\n")
        self.stdout.write(f"Re-encrypted {count} appointment request(s) under {target}.")
        left = rotation.stale_count()
        if left:
            # Values that cannot be opened are kept as they are; the log names their rows.
            self.stderr.write(
                f"{left} row(s) still hold a value that could not be opened (logged on lead_forms.encryption.crypto "
                "with model, field and row). List the key that sealed them and run this command again."
            )

    def progress_bar(self, done, total):
        width = 30
        share = done / total if total else 1
        sys.stderr.write(f"\r[{'#' * int(share * width):<{width}}] {done}/{total} requests")
        sys.stderr.flush()
