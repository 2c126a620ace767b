"""Stored appointment requests and the history of their status."""

import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from wagtail.contrib.forms.models import AbstractFormSubmission

# No 0/O, 1/I/L: patients read the reference out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8
REFERENCE_PREFIX = "AR-"

# Denormalised copies of a few answers (see AppointmentSubmission.fill_contact_columns).
NAME_MAX_LENGTH = 255
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 32
CONTACT_METHOD_MAX_LENGTH = 100


def new_reference():
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value).strip()


class AppointmentSubmissionQuerySet(models.QuerySet):
    def not_spam(self):
        return self.filter(is_spam=False)

    def spam(self):
        return self.filter(is_spam=True)


class AppointmentSubmission(AbstractFormSubmission):
    """One appointment request a patient sent through an appointment form page.

    Holds no client IP. Suspected spam is kept (flagged with the reason) so staff
    can rescue a real patient caught by mistake; it is hidden from default views
    and never triggers a notification. ``name``, ``email``, ``phone`` and
    ``contact_method`` copy answers out of the JSON ``form_data`` at save time so
    the staff inbox can search and list them with plain indexed columns on any database.
    """

    # PROTECT, not Wagtail's CASCADE: deleting a form page (or an ancestor of one) by
    # any path, admin, bulk action, API or ORM, must never take its requests with it.
    # The admin refuses first with a message (lead_forms.deletion); this is the backstop.
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
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True, db_index=True)
    email = models.CharField(max_length=EMAIL_MAX_LENGTH, blank=True, db_index=True)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True, db_index=True)
    contact_method = models.CharField("contact method", max_length=CONTACT_METHOD_MAX_LENGTH, blank=True)

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

    def get_data(self):
        """Form data plus the columns the submissions list and export show."""
        return {
            **super().get_data(),
            "reference": self.reference,
            "spam_reason": self.spam_reason,
        }

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
