"""Model fields whose values are stored encrypted (AES-256-GCM, see ``lead_forms.encryption.crypto``).

Use them for any patient data::

    text = EncryptedTextField(_("note"), blank=True)

Encryption happens in ``get_db_prep_save``, which every path that writes a
row goes through (``save``, ``create``, ``bulk_create``, ``update``,
``bulk_update``, the admin, migrations using the model), and decryption in
``from_db_value``, which every read goes through (instances, ``values()``,
``values_list()``). The database only ever holds ``lf1:<key id>:<base64>``.

Encrypted values cannot be compared in SQL: any lookup other than ``isnull``
raises a FieldError saying so. Search through the blind indexes
(``AppointmentSubmission.objects.search()``) instead.
"""

import json

from django import forms
from django.core.exceptions import FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from ..encryption.crypto import get_keyring


class EncryptedTextField(models.TextField):
    """Text stored encrypted; reads give the plain text back (or raise PatientDataError)."""

    description = "Text stored encrypted (AES-256-GCM)"
    allowed_lookups = frozenset({"isnull"})

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return get_keyring().decrypt(value).decode()

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):
            return value
        value = self.get_prep_value(value)
        if value is None:
            return None
        return get_keyring().encrypt(self.serialise(value))

    def serialise(self, value):
        """``value`` as the bytes to encrypt."""
        return str(value).encode()

    def get_lookup(self, lookup_name):
        if lookup_name in self.allowed_lookups:
            return super().get_lookup(lookup_name)
        raise FieldError(self._no_sql_message(lookup_name))

    def get_transform(self, lookup_name):
        raise FieldError(self._no_sql_message(lookup_name))

    def _no_sql_message(self, lookup_name):
        return (
            f"{self.model.__name__}.{self.name} is encrypted, so the database cannot compare it "
            f"({lookup_name!r}). Search through the blind indexes instead "
            "(AppointmentSubmission.objects.search(), see lead_forms.encryption.blind_index)."
        )


class EncryptedJSONField(EncryptedTextField):
    """JSON (a dict of answers, say) stored encrypted as one value."""

    description = "JSON stored encrypted (AES-256-GCM)"

    def __init__(self, *args, encoder=DjangoJSONEncoder, **kwargs):
        self.encoder = encoder
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not DjangoJSONEncoder:
            kwargs["encoder"] = self.encoder
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(get_keyring().decrypt(value))

    def get_prep_value(self, value):
        return value

    def to_python(self, value):
        return value

    def serialise(self, value):
        return json.dumps(value, cls=self.encoder, ensure_ascii=False).encode()

    def value_to_string(self, obj):
        # As Django's JSONField: serializers (dumpdata) write the value itself, decrypted.
        return self.value_from_object(obj)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, "encoder": self.encoder, **kwargs})
