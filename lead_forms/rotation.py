"""Re-encrypting stored requests under the newest key, and rebuilding their search tokens.

Used by ``manage.py rotate_patient_data_keys``. Rows are taken a batch at a
time in primary-key order, locked, read (with whichever listed key sealed
them) and written back (sealed with the newest key, with tokens of the newest
search key) in one short transaction per batch. A row is therefore readable
at every moment by any server that lists both keys, and an interrupted run
loses nothing: the next run picks only the rows still under an old key
(told apart in SQL by the key id each value starts with).
"""

from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .crypto import get_keyring, get_search_keys
from .models import AppointmentSubmission
from .models.submissions import ENCRYPTED_FIELDS

DEFAULT_BATCH_SIZE = 500


def stale_requests():
    """Requests with a value not sealed by the newest key, or search tokens of an older search key."""
    prefix = get_keyring().newest_prefix
    raw = {f"raw_{name}": Cast(name, TextField()) for name in ENCRYPTED_FIELDS}
    current = Q(search_key_id=get_search_keys().newest_id)
    for alias in raw:
        current &= Q(**{f"{alias}__startswith": prefix}) | Q(**{f"{alias}__isnull": True})
    return AppointmentSubmission.objects.annotate(**raw).exclude(current)


def rotate(batch_size=DEFAULT_BATCH_SIZE, progress=None):
    """Re-encrypt every stale request; ``progress(done, total)`` after each batch. Returns the count."""
    total = stale_requests().count()
    done, last_pk = 0, 0
    while True:
        pks = list(
            stale_requests().filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not pks:
            return done
        with transaction.atomic():
            rows = list(AppointmentSubmission.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
            # Sealed again with the newest key; search tokens rebuilt (the queryset's bulk_update).
            AppointmentSubmission.objects.bulk_update(rows, ENCRYPTED_FIELDS)
        done += len(rows)
        last_pk = pks[-1]
        if progress is not None:
            progress(done, max(total, done))
