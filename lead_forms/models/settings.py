"""Site settings for appointment requests."""

from django.core.validators import MinValueValidator
from django.db import models
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

DEFAULT_RETENTION_DAYS = 365


@register_setting(icon="time")
class AppointmentRequestSettings(BaseSiteSetting):
    """How long this site's appointment requests are kept before the daily purge deletes them."""

    retention_days = models.PositiveIntegerField(
        "keep requests for (days)",
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(1)],
        help_text="Requests older than this are deleted by the daily purge (purge_appointment_requests).",
    )

    class Meta:
        verbose_name = "appointment request retention"

    def __str__(self):
        return f"Keep appointment requests {self.retention_days} days"
