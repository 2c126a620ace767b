"""Re-seal every encrypted value bound to its table, column and row (format lf2).

Runs ``lead_forms.encryption.rotation.rotate`` on the historical models: a batch of rows at a
time, each batch its own transaction (the migration is not atomic), so an
interrupted ``migrate`` loses nothing and the next one continues with the rows
still in the old format. Run it with the production keys in the environment.
Going back seals every value in the first format again (no associated data),
which the code before this migration reads.
"""

from django.db import migrations
from django.db.models import TextField, Value


def nothing_stored(apps):
    """A fresh host: no request or note to re-seal, so its first ``migrate`` needs no keys."""
    from lead_forms.encryption import rotation

    return not any(model._default_manager.exists() for model, _names in rotation.encrypted_models(apps))


def reseal(apps, schema_editor):
    from lead_forms.encryption import rotation

    if nothing_stored(apps):
        return
    rotation.rotate(apps=apps)


def unbind(apps, schema_editor):
    from lead_forms.encryption import rotation
    from lead_forms.encryption.crypto import get_keyring
    from lead_forms.models import Unreadable

    if nothing_stored(apps):
        return
    keyring = get_keyring()
    for model, names in rotation.encrypted_models(apps):
        fields = [model._meta.get_field(name) for name in names]
        for row in model._default_manager.order_by("pk").iterator(chunk_size=500):
            values = {}
            for field in fields:
                value = getattr(row, field.attname)
                if value is None:
                    continue
                stored = (
                    value.stored if isinstance(value, Unreadable) else keyring.encrypt(field.serialise(value))
                )
                values[field.attname] = Value(stored, output_field=TextField())
            if values:
                model._default_manager.filter(pk=row.pk).update(**values)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("lead_forms", "0009_row_uuid"),
    ]

    operations = [
        migrations.RunPython(reseal, unbind, elidable=False),
    ]
