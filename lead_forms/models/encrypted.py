"""Model fields whose values are stored encrypted (AES-256-GCM, see ``lead_forms.encryption.crypto``).

Use them for any patient data, on a model that has a ``row_uuid``::

    row_uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    text = EncryptedTextField(_("note"), blank=True)
    objects = EncryptedQuerySet.as_manager()

Each value is bound to its table, column and row: the AES-GCM associated data
names them, so a value copied to another column or row fails to open. The row
is named by ``row_uuid``, not the primary key, because a new row has no primary
key until it is inserted: binding to the pk would mean inserting first and
encrypting in a second write (two statements per row, a moment where the row
holds something else, and ``bulk_create`` followed by an update). A random UUID
set when the instance is made is known to ``save()``, ``create()`` and
``bulk_create()`` alike, and stays the same when rows are restored into a
database that numbers them differently.

Sealing needs the row, so it happens in ``pre_save`` (which ``save()``,
``create()`` and ``bulk_create()`` call with the instance); ``bulk_update`` goes
through ``EncryptedQuerySet``. ``QuerySet.update(field=value)`` has no row to
bind to and raises a FieldError saying so.

Opening needs the row too, so reading does not decrypt in ``from_db_value``:
it returns the stored text as a ``Sealed`` string, and the attribute opens it
the first time it is read on the instance (``SealedAttribute``). ``values()``
and ``values_list()`` give ``Sealed`` strings: open them with
``open_value(model, field_name, stored, row_uuid)``.

A value that cannot be opened (corrupted, sealed with a key no longer listed,
copied from elsewhere) reads as ``Unreadable``: a translated "[unreadable]" in
that row of the inbox, export or staff API, logged with model, field and row
(never the value), while every other row shows as usual. Saving such a row
keeps the stored text as it is.

Encrypted values cannot be compared in SQL: any lookup other than ``isnull``
raises a FieldError saying so. Search through the blind indexes
(``AppointmentSubmission.objects.search()``) instead.
"""

import json
import logging

from django import forms
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext, gettext_lazy

from ..encryption.crypto import PatientDataError, associated_data, get_keyring

logger = logging.getLogger("lead_forms.encryption.crypto")

ROW_FIELD = "row_uuid"
UNREADABLE_TEXT = gettext_lazy("[unreadable]")


class Sealed(str):
    """Stored text of an encrypted column, not opened yet (its repr hides it)."""

    __slots__ = ()

    def __repr__(self):
        return f"<Sealed {self[:12]}…>"


class Unreadable:
    """Mixin of the values that stand for a stored value that could not be opened."""

    stored = ""


class UnreadableText(Unreadable, str):
    """Reads as "[unreadable]" (translated) wherever the text would show; keeps the stored text."""

    def __new__(cls, stored):
        value = super().__new__(cls, gettext(UNREADABLE_TEXT))
        value.stored = stored
        return value


class UnreadableData(Unreadable, dict):
    """Answers that could not be opened: every question reads "[unreadable]"; keeps the stored text."""

    def __init__(self, stored):
        super().__init__()
        self.stored = stored

    def __bool__(self):
        return True

    def get(self, key, default=None):
        return gettext(UNREADABLE_TEXT)


class UnreadableAnswersRow(dict):
    """A row of answers (``get_data()``) whose answers could not be opened: missing keys read "[unreadable]"."""

    def get(self, key, default=None):
        return super().get(key, gettext(UNREADABLE_TEXT))


def open_value(model, field_name, stored, row_uuid):
    """The plain value of ``stored`` (as ``values_list`` gives it) from ``field_name`` of ``model``'s row."""
    return model._meta.get_field(field_name).open(stored, row_uuid)


class SealedAttribute(DeferredAttribute):
    """Opens a ``Sealed`` value the first time it is read on its instance, with that row's binding."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        data = instance.__dict__
        attname = self.field.attname
        if attname not in data:
            super().__get__(instance, cls)
        value = data[attname]
        if isinstance(value, Sealed):
            value = data[attname] = self.field.open(value, getattr(instance, ROW_FIELD), instance=instance)
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text stored encrypted and bound to its row; reads give the plain text back (or ``UnreadableText``)."""

    description = "Text stored encrypted (AES-256-GCM)"
    allowed_lookups = frozenset({"isnull"})
    descriptor_class = SealedAttribute
    unreadable_class = UnreadableText

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(value)

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_row_binding()]

    def _check_row_binding(self):
        """The model must name its rows (``row_uuid``) and seal in ``bulk_update`` (``EncryptedQuerySet``)."""
        errors = []
        try:
            row_field = self.model._meta.get_field(ROW_FIELD)
        except FieldDoesNotExist:
            row_field = None
        if not isinstance(row_field, models.UUIDField) or not row_field.unique or not row_field.has_default():
            errors.append(
                checks.Error(
                    f"{self.model.__name__} has encrypted fields but no unique {ROW_FIELD} with a default.",
                    hint=f"Add {ROW_FIELD} = models.UUIDField(default=uuid.uuid4, editable=False, unique=True): "
                    "each encrypted value is bound to its row through it.",
                    obj=self,
                    id="lead_forms.E030",
                )
            )
        if not isinstance(self.model._default_manager.all(), EncryptedQuerySet):
            errors.append(
                checks.Error(
                    f"The default manager of {self.model.__name__} does not use EncryptedQuerySet.",
                    hint="objects = EncryptedQuerySet.as_manager() (or a subclass), so bulk_update() seals "
                    "each value to its row.",
                    obj=self,
                    id="lead_forms.E031",
                )
            )
        return errors

    def associated_data(self, row_uuid):
        return associated_data(self.model._meta.db_table, self.column, row_uuid)

    def seal(self, value, row_uuid):
        """``value`` (plain) as stored text bound to this column of the row ``row_uuid``."""
        if not row_uuid:
            raise FieldError(f"{self.model.__name__} has no {ROW_FIELD}: an encrypted value needs its row.")
        return Sealed(get_keyring().encrypt(self.serialise(value), self.associated_data(row_uuid)))

    def open(self, stored, row_uuid, instance=None):
        """The plain value of ``stored`` read from the row ``row_uuid``; ``Unreadable`` (logged) if it cannot be."""
        if stored is None or not isinstance(stored, str):
            return stored
        try:
            data = get_keyring().decrypt(stored, self.associated_data(row_uuid) if row_uuid else None)
        except PatientDataError as error:
            # Model, field and row only: never the stored text or anything of the patient's.
            logger.warning(
                "Unreadable %s.%s in row %s: %s",
                self.model._meta.label,
                self.name,
                getattr(instance, "pk", None) or row_uuid,
                error,
            )
            return self.unreadable_class(stored)
        return self.deserialise(data)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None or hasattr(value, "resolve_expression"):
            return value
        if isinstance(value, Unreadable):
            # Never overwrite what could not be opened: the right key may come back.
            return Sealed(value.stored)
        return self.seal(value, getattr(model_instance, ROW_FIELD))

    def get_db_prep_save(self, value, connection):
        if value is None or hasattr(value, "as_sql"):
            return value
        if isinstance(value, Sealed):
            return str(value)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted and bound to its row, so it is written through "
            "save(), create(), bulk_create() or bulk_update(), never QuerySet.update()."
        )

    def serialise(self, value):
        """``value`` as the bytes to encrypt."""
        return str(value).encode()

    def deserialise(self, data):
        """The value the decrypted bytes ``data`` stand for."""
        return data.decode()

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
    unreadable_class = UnreadableData

    def __init__(self, *args, encoder=DjangoJSONEncoder, **kwargs):
        self.encoder = encoder
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not DjangoJSONEncoder:
            kwargs["encoder"] = self.encoder
        return name, path, args, kwargs

    def get_prep_value(self, value):
        return value

    def to_python(self, value):
        return value

    def serialise(self, value):
        return json.dumps(value, cls=self.encoder, ensure_ascii=False).encode()

    def deserialise(self, data):
        return json.loads(data)

    def value_to_string(self, obj):
        # As Django's JSONField: serializers write the value itself (see the dumpdata command).
        return self.value_from_object(obj)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, "encoder": self.encoder, **kwargs})


def sealed_bulk_update(queryset, objs, fields, batch_size=None):
    """``queryset.bulk_update(objs, fields)`` with each encrypted value sealed to its own row.

    Django's ``bulk_update`` hands values to the field without their instance; here
    each is sealed first and passed as an expression, then the instances get their
    plain values back.
    """
    model = queryset.model
    encrypted = [
        field
        for field in (model._meta.get_field(name) for name in fields)
        if isinstance(field, EncryptedTextField)
    ]
    swapped = []
    try:
        for obj in objs:
            for field in encrypted:
                value = field.pre_save(obj, False)  # reads (and opens) the plain value first
                if value is not None and not hasattr(value, "resolve_expression"):
                    swapped.append((obj, field.attname, obj.__dict__[field.attname]))
                    obj.__dict__[field.attname] = models.Value(str(value), output_field=models.TextField())
        return models.QuerySet.bulk_update(queryset, objs, fields, batch_size=batch_size)
    finally:
        for obj, attname, plain in swapped:
            obj.__dict__[attname] = plain


class EncryptedQuerySet(models.QuerySet):
    """The queryset of a model with encrypted fields: ``bulk_update`` seals each value to its row."""

    def bulk_update(self, objs, fields, batch_size=None):
        return sealed_bulk_update(self, list(objs), fields, batch_size=batch_size)
