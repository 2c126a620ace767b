"""Webhook endpoints administrators register, and the record of every delivery to them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from treatment_pages.webhooks.secrets import (
    SECRET_PREFIX,  # noqa: F401 - re-exported for code that read it here
    decrypt_secret,
    encrypt_secret,
    new_encrypted_secret,
    new_webhook_secret,  # noqa: F401 - re-exported for code that read it here
)
from treatment_pages.webhooks.targets import validate_webhook_url

# The events a front end can subscribe to; payloads carry page ids and paths, never patient data.
EVENT_CHOICES = [
    ("page.published", _("A page was published")),
    ("page.unpublished", _("A page was unpublished")),
    ("page.moved", _("A page was moved (old and new path)")),
    ("page.deleted", _("A page was deleted (its old path)")),
    ("settings.changed", _("The clinic's contact settings changed")),
    ("rating.changed", _("An article's rating summary changed")),
]
EVENT_NAMES = [name for name, _label in EVENT_CHOICES]


class WebhookEndpoint(models.Model):
    """A URL told about content changes, e.g. a static front end's rebuild hook."""

    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[validate_webhook_url],
        help_text=_("Where the events are POSTed: a public https:// address (http:// only for testing)."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The Standard Webhooks secret (whsec_...), encrypted (treatment_pages.webhooks.secrets);
    # read and set it as ``endpoint.secret``.
    secret_ciphertext = models.TextField(default=new_encrypted_secret, editable=False)
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Leave empty to receive every event."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self):
        return self.description or self.url

    @property
    def secret(self):
        """The signing secret in clear (SecretUnreadable if SECRET_KEY changed without a fallback)."""
        return decrypt_secret(self.secret_ciphertext)

    @secret.setter
    def secret(self, value):
        self.secret_ciphertext = encrypt_secret(value)

    def wants(self, event):
        return self.is_active and (not self.events or event in self.events)


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one endpoint, with the outcome of its last attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text=_("Empty for the endpoint configured by WEBHOOK_URL."),
    )
    url = models.URLField(max_length=500)
    message_id = models.CharField(max_length=40, unique=True)
    event = models.CharField(max_length=40, choices=EVENT_CHOICES)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.event} → {self.url}"
