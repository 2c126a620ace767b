"""Stored appointment requests, the history of their status and the staff's notes on them."""

import re
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, models, transaction
from wagtail.contrib.forms.models import AbstractFormSubmission

from ..encryption import blind_index
from ..encryption.crypto import get_search_keys
from .encrypted import (
    EncryptedJSONField,
    EncryptedQuerySet,
    EncryptedTextField,
    Unreadable,
    UnreadableAnswersRow,
)

# No 0/O, 1/I/L: patients read the reference out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8
REFERENCE_PREFIX = "AR-"

# Denormalised copies of a few answers (see AppointmentSubmission.fill_contact_columns).
NAME_MAX_LENGTH = 255
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 32
CONTACT_METHOD_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 5000

_REFERENCE_TERM = re.compile(rf"^(?:AR)?([{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}})$")


def new_reference():
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def reference_for(term):
    """The reference ``term`` names, typed with or without "AR-" (any case, spaces or dashes), or ""."""
    compact = re.sub(r"[\s-]", "", (term or "").upper())
    match = _REFERENCE_TERM.match(compact)
    return REFERENCE_PREFIX + match[1] if match else ""


def _text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value).strip()


# Patient data: stored encrypted, re-encrypted together by rotate_patient_data_keys.
ENCRYPTED_FIELDS = ("form_data", "name", "email", "phone", "contact_method")
# What the search tokens are made of (lead_forms.encryption.blind_index).
INDEXED_FIELDS = ("form_data", "name", "email", "phone")


def format_value(value):
    """A stored answer as display text (one cell of an export, one line of the inbox)."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(item) for item in value)
    return str(value)


def _readable(value):
    """``value``, or None when it could not be opened (no search tokens are made of "[unreadable]")."""
    return None if isinstance(value, Unreadable) else value


ROW_UUID_HELP = "Random id binding this row's encrypted values to it (lead_forms.models.encrypted)."


class AppointmentSubmissionQuerySet(EncryptedQuerySet):
    def not_spam(self):
        return self.filter(is_spam=False)

    def spam(self):
        return self.filter(is_spam=True)

    def search(self, term):
        """Requests found by ``term``: its reference (with or without "AR-"), a whole word of the
        name, the full email address, the full phone number in any format or its last four digits
        (``lead_forms.encryption.blind_index``).

        Nothing else matches, fragments included: the data is encrypted. Each way of
        matching is an indexed lookup (the reference's unique index, the search tokens'
        index), and the request ids they find are combined with UNION, which the database
        answers from those indexes; an OR of them would make it scan every request.
        """
        term = (term or "").strip()
        if not term:
            return self
        matches = []
        reference = reference_for(term)
        if reference:
            matches.append(self.model._default_manager.filter(reference=reference).order_by().values("pk"))
        for requirements in blind_index.query_groups(term):
            found = SearchToken.objects.filter(token__in=requirements[0])
            for tokens in requirements[1:]:
                found = found.filter(
                    submission_id__in=SearchToken.objects.filter(token__in=tokens).values("submission_id")
                )
            matches.append(found.values("submission_id"))
        if not matches:
            return self.none()
        return self.filter(pk__in=matches[0].union(*matches[1:]) if len(matches) > 1 else matches[0])

    def bulk_create(self, objs, *args, **kwargs):
        """Django's bulk_create, then the search tokens of the new rows (save() is not called)."""
        objs = list(objs)
        search_key_id = get_search_keys().newest_id
        for obj in objs:
            obj.search_key_id = search_key_id
        created = super().bulk_create(objs, *args, **kwargs)
        SearchToken.objects.bulk_create(
            [token for obj in created if obj.pk for token in obj.search_token_rows()], batch_size=5000
        )
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        """``EncryptedQuerySet.bulk_update``; rows whose indexed fields changed get their search tokens rebuilt."""
        objs = list(objs)
        if not set(fields) & set(INDEXED_FIELDS):
            return super().bulk_update(objs, fields, *args, **kwargs)
        search_key_id = get_search_keys().newest_id
        for obj in objs:
            obj.search_key_id = search_key_id
        with transaction.atomic(using=self.db):
            updated = super().bulk_update(objs, [*fields, "search_key_id"], *args, **kwargs)
            SearchToken.objects.filter(submission__in=objs).delete()
            SearchToken.objects.bulk_create(
                [token for obj in objs for token in obj.search_token_rows()], batch_size=5000
            )
        return updated


class AppointmentSubmission(AbstractFormSubmission):
    """One appointment request a patient sent through an appointment form page.

    Holds no client IP. Suspected spam is kept (flagged with the reason) so staff
    can rescue a real patient caught by mistake; it is hidden from default views
    and never triggers a notification. ``name``, ``email``, ``phone`` and
    ``contact_method`` copy answers out of the JSON ``form_data`` at save time so
    the staff inbox can list them.

    Every answer and contact column is stored encrypted (``EncryptedJSONField``,
    ``EncryptedTextField``); the search tokens made under the search key
    ``search_key_id`` (``SearchToken``, ``lead_forms.encryption.blind_index``) are what the
    inbox, the API and ``erase_patient`` search. The reference, status, dates,
    spam flag and form page stay plain.
    """

    # PROTECT, not Wagtail's CASCADE: deleting a form page (or an ancestor of one) by
    # any path, admin, bulk action, API or ORM, must never take its requests with it.
    # The admin refuses first with a message (lead_forms.inbox.deletion); this is the backstop.
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT)

    class NotificationStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed after retries"
        NOT_SENT = "not_sent", "Not sent (spam or no recipient)"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        BOOKED = "booked", "Booked"
        CLOSED = "closed", "Closed"

    reference = models.CharField(
        max_length=20,
        unique=True,
        editable=False,
        help_text="Shown to the patient on the thank-you page and in the coordinator's email.",
    )
    is_spam = models.BooleanField("suspected spam", default=False, db_index=True)
    spam_reason = models.CharField(max_length=200, blank=True)
    notification_status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    row_uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True, help_text=ROW_UUID_HELP)
    form_data = EncryptedJSONField()
    name = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    contact_method = EncryptedTextField("contact method", blank=True)
    search_key_id = models.CharField(
        max_length=16,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Id of the search key this request's search tokens were made with.",
    )

    objects = AppointmentSubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "appointment request"
        verbose_name_plural = "appointment requests"
        ordering = ["-submit_time"]
        indexes = [
            models.Index(fields=["page", "is_spam", "submit_time"], name="lead_forms_page_spam_time"),
            models.Index(fields=["is_spam", "submit_time"], name="lead_forms_spam_time"),
        ]
        permissions = [
            ("view_appointment_requests", "Can view, export and delete appointment requests (patient data)"),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.pk and not (self.name or self.email or self.phone) and self.page_id:
            self.fill_contact_columns()
        update_fields = kwargs.get("update_fields")
        reindex = update_fields is None or bool(set(update_fields) & set(INDEXED_FIELDS))
        if not reindex:
            return self._save_row(*args, **kwargs)
        self.search_key_id = get_search_keys().newest_id
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key_id"}
        with transaction.atomic(using=kwargs.get("using")):
            saved = self._save_row(*args, **kwargs)
            self.replace_search_tokens()
        return saved

    def search_token_rows(self):
        """Unsaved ``SearchToken`` rows for this request's current values (newest search key)."""
        tokens = blind_index.tokens_for(
            _readable(self.name), _readable(self.email), _readable(self.phone), _readable(self.form_data)
        )
        return [SearchToken(submission_id=self.pk, token=token) for token in tokens]

    def replace_search_tokens(self):
        """Store this request's search tokens in place of its old ones."""
        self.search_tokens.all().delete()
        SearchToken.objects.bulk_create(self.search_token_rows())

    def _save_row(self, *args, **kwargs):
        if self.reference:
            return super().save(*args, **kwargs)
        # 31^8 references: a clash is rare, but retried rather than shown as an error.
        for _attempt in range(5):
            self.reference = new_reference()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if type(self)._default_manager.filter(reference=self.reference).exists():
                    continue
                raise
        raise IntegrityError("Could not allocate a unique appointment reference")

    def answers(self, form_fields=None):
        """``(field name, label, text)`` in form order; answers to fields since removed follow under their key.

        ``form_fields`` (the form page's ``get_form_fields()``) saves the lookups when listing many.
        """
        if form_fields is None:
            form_fields = self.page.specific.get_form_fields()
        data = self.form_data or {}
        answers, seen = [], set()
        for field in form_fields:
            seen.add(field.clean_name)
            answers.append((field.clean_name, field.label, format_value(data.get(field.clean_name))))
        answers += [(key, key, format_value(value)) for key, value in data.items() if key not in seen]
        return answers

    @classmethod
    def unused_reference(cls):
        """A new reference no stored request has, for code that must know it before saving."""
        for _attempt in range(5):
            reference = new_reference()
            if not cls._default_manager.filter(reference=reference).exists():
                return reference
        raise IntegrityError("Could not allocate a unique appointment reference")

    def get_data(self):
        """Form data plus the columns the submissions list and export show.

        Answers that could not be opened read "[unreadable]" in Wagtail's own list and export.
        """
        data = {
            **super().get_data(),
            "reference": self.reference,
            "spam_reason": self.spam_reason,
        }
        return UnreadableAnswersRow(data) if isinstance(self.form_data, Unreadable) else data

    def set_status(self, new_value, user):
        """Set the workflow status, or the spam flag (``StatusChange.Value.SPAM`` / ``NOT_SPAM``).

        Records who changed what in ``status_changes`` and the audit log; returns
        the ``StatusChange``, or None if the request already had that value.
        Locks the row so two people clicking at once each see a correct "from" value.
        """
        from ..inbox import audit

        spam_values = (StatusChange.Value.SPAM, StatusChange.Value.NOT_SPAM)
        with transaction.atomic():
            locked = type(self)._default_manager.select_for_update().get(pk=self.pk)
            if new_value in spam_values:
                old_value = StatusChange.Value.SPAM if locked.is_spam else StatusChange.Value.NOT_SPAM
                locked.is_spam = new_value == StatusChange.Value.SPAM
                if not locked.is_spam:
                    locked.spam_reason = ""
                update_fields = ["is_spam", "spam_reason"]
            else:
                old_value = locked.status
                locked.status = new_value
                update_fields = ["status"]
            if old_value == new_value:
                return None
            locked.save(update_fields=update_fields)
            change = StatusChange.objects.create(
                submission=locked, old_value=old_value, new_value=new_value, user=user
            )
            audit.log_status_change(user, locked, old_value, new_value)
        for field in update_fields:
            setattr(self, field, getattr(locked, field))
        return change

    def add_note(self, user, text):
        """Add a staff note (who, when, text) to this request and audit it; returns the ``StaffNote``.

        Raises ``ValidationError`` for an empty or overlong note. The audit entry
        records that a note was added and its id, never its text.
        """
        from django.core.exceptions import ValidationError

        from ..inbox import audit

        text = (text or "").strip()
        if not text:
            raise ValidationError("Write the note before saving it.", code="empty_note")
        if len(text) > NOTE_MAX_LENGTH:
            raise ValidationError(
                f"Keep the note under {NOTE_MAX_LENGTH} characters (it has {len(text)}).", code="long_note"
            )
        with transaction.atomic():
            note = StaffNote.objects.create(submission=self, user=user, text=text)
            audit.log_note_added(user, self, note)
        return note

    def fill_contact_columns(self, form_fields=None):
        """Copy name, email, phone and preferred contact method out of ``form_data``.

        ``form_fields`` are the page's ``AppointmentFormField`` rows in form order
        (read from the page when omitted). The name joins every single-line answer
        whose field name contains "name" ("First name", "Last name"); email and
        phone are the first answers of those field types; the contact method is
        the first choice field whose name mentions "contact".
        """
        if form_fields is None:
            form_fields = list(self.page.specific.get_form_fields()) if self.page_id else []
        data = self.form_data or {}
        names, email, phone, method = [], "", "", ""
        for field in form_fields:
            value = _text(data.get(field.clean_name))
            if not value:
                continue
            if field.field_type == "singleline" and "name" in field.clean_name:
                names.append(value)
            elif field.field_type == "email" and not email:
                email = value
            elif field.field_type == "phone" and not phone:
                phone = value
            elif field.field_type in {"radio", "dropdown"} and "contact" in field.clean_name and not method:
                method = value
        self.name = " ".join(names)[:NAME_MAX_LENGTH]
        self.email = email[:EMAIL_MAX_LENGTH]
        self.phone = phone[:PHONE_MAX_LENGTH]
        self.contact_method = method[:CONTACT_METHOD_MAX_LENGTH]


class SearchToken(models.Model):
    """One keyed hash a request can be found by (a name word, an email, a phone, its last four digits).

    Written by ``AppointmentSubmission.save()`` and ``bulk_create``; see ``lead_forms.encryption.blind_index``.
    """

    submission = models.ForeignKey(
        AppointmentSubmission, on_delete=models.CASCADE, related_name="search_tokens"
    )
    token = models.CharField(max_length=64)

    class Meta:
        verbose_name = "search token"
        indexes = [models.Index(fields=["token", "submission"], name="lead_forms_search_token")]

    def __str__(self):
        return self.token


class StatusChange(models.Model):
    """One change of an appointment request's status (or spam flag): who, when, from what to what."""

    class Value(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        BOOKED = "booked", "Booked"
        CLOSED = "closed", "Closed"
        SPAM = "spam", "Suspected spam"
        NOT_SPAM = "not_spam", "Not spam"

    submission = models.ForeignKey(
        AppointmentSubmission, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_value = models.CharField(max_length=10, choices=Value.choices)
    new_value = models.CharField(max_length=10, choices=Value.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "status change"
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.submission_id}: {self.old_value} → {self.new_value}"


class StaffNote(models.Model):
    """A note staff wrote about an appointment request ("called, no answer"): who, when, what.

    Notes are kept (history), shown newest first on the request's page, and
    exported only when an export asks for them. The text is one field so it can
    be encrypted at rest like the answers.
    """

    submission = models.ForeignKey(AppointmentSubmission, on_delete=models.CASCADE, related_name="notes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    row_uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True, help_text=ROW_UUID_HELP)
    text = EncryptedTextField(max_length=NOTE_MAX_LENGTH)

    objects = EncryptedQuerySet.as_manager()

    class Meta:
        verbose_name = "staff note"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Note {self.pk} on {self.submission_id}"
