"""Re-encrypting stored patient data under the newest key, and rebuilding search tokens.

Used by ``manage.py rotate_patient_data_keys``. Every model of this app with
encrypted fields (``EncryptedTextField`` and subclasses: appointment requests,
and any model added later, such as staff notes) is covered. Rows are taken a
batch at a time in primary-key order, locked, read (with whichever listed key
sealed them) and written back (sealed with the newest key; requests also get
tokens of the newest search key) in one short transaction per batch. A row is
therefore readable at every moment by any server that lists both keys, and an
interrupted run loses nothing: the next run picks only the rows still under an
old key (told apart in SQL by the key id each value starts with).

The same run re-seals values of the first format (``lf1``, not bound to their
table, column and row): they do not start with the newest prefix either. Migration
0010 runs it with the historical models, so an upgrade re-seals everything, and an
interrupted upgrade continues where it stopped. A value that cannot be opened
(``Unreadable``) is left as it is, logged, and counted by ``stale_count()`` after
the run.
"""

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from ..models import AppointmentSubmission, EncryptedQuerySet, EncryptedTextField
from ..models.encrypted import sealed_bulk_update
from .crypto import get_keyring, get_search_keys, reading_unbound_values

DEFAULT_BATCH_SIZE = 500


def encrypted_models(apps=global_apps):
    """(model, names of its encrypted fields) for every model of this app that has some.

    ``apps``: a migration's app registry, for its historical models.
    """
    found = []
    for model in apps.get_app_config("lead_forms").get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def stale_rows(model, names):
    """Rows of ``model`` with a value not sealed by the newest key (or, for requests, older search tokens)."""
    prefix = get_keyring().newest_prefix
    raw = {f"raw_{name}": Cast(name, TextField()) for name in names}
    current = Q()
    for alias in raw:
        current &= Q(**{f"{alias}__startswith": prefix}) | Q(**{f"{alias}__isnull": True})
    if model is AppointmentSubmission:
        current &= Q(search_key_id=get_search_keys().newest_id)
    return model._default_manager.annotate(**raw).exclude(current)


def stale_count(apps=global_apps):
    return sum(stale_rows(model, names).count() for model, names in encrypted_models(apps))


def rotate(batch_size=DEFAULT_BATCH_SIZE, progress=None, apps=global_apps):
    """Re-encrypt every stale row; ``progress(done, total)`` after each batch. Returns the count."""
    with reading_unbound_values():
        return _rotate(batch_size, progress, apps)


def _rotate(batch_size, progress, apps):
    total = stale_count(apps)
    done = 0
    for model, names in encrypted_models(apps):
        last_pk = 0
        while True:
            pks = list(
                stale_rows(model, names)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not pks:
                break
            with transaction.atomic():
                rows = list(model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk"))
                # Sealed again with the newest key, bound to the row (requests: search tokens
                # rebuilt by their bulk_update). A migration's historical manager is a plain one.
                queryset = model._default_manager.all()
                if isinstance(queryset, EncryptedQuerySet):
                    queryset.bulk_update(rows, names)
                else:
                    sealed_bulk_update(queryset, rows, names)
            done += len(rows)
            last_pk = pks[-1]
            if progress is not None:
                progress(done, max(total, done))
    return done
