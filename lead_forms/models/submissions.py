"""Stored appointment requests."""

import secrets

from django.db import IntegrityError, models, transaction
from wagtail.contrib.forms.models import AbstractFormSubmission

# No 0/O, 1/I/L: patients read the reference out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8
REFERENCE_PREFIX = "AR-"


def new_reference():
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class AppointmentSubmissionQuerySet(models.QuerySet):
    def not_spam(self):
        return self.filter(is_spam=False)

    def spam(self):
        return self.filter(is_spam=True)


class AppointmentSubmission(AbstractFormSubmission):
    """One appointment request a patient sent through an appointment form page.

    Holds no client IP. Suspected spam is kept (flagged with the reason) so staff
    can rescue a real patient caught by mistake; it is hidden from default views
    and never triggers a notification.
    """

    class NotificationStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed after retries"
        NOT_SENT = "not_sent", "Not sent (spam or no recipient)"

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

    objects = AppointmentSubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "appointment request"
        verbose_name_plural = "appointment requests"
        ordering = ["-submit_time"]
        indexes = [models.Index(fields=["page", "is_spam", "submit_time"], name="lead_forms_page_spam_time")]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
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
