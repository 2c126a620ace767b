"""Webhook signing secrets encrypted at rest (treatment_pages.webhooks.secrets), and URLs checked.

Existing secrets are encrypted as they are, valid or not: one that is not a Standard
Webhooks secret (``a``, ``whsec_abc``) makes its deliveries fail with "signing secret
invalid: set a new one" instead of staying pending, and the administrator sets a new one.
Reversible: going back writes the secrets in clear again.
"""

from django.db import migrations, models

import treatment_pages.webhooks.secrets
import treatment_pages.webhooks.targets


def encrypt_secrets(apps, schema_editor):
    from treatment_pages.webhooks.secrets import encrypt_secret

    WebhookEndpoint = apps.get_model("treatment_pages", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.only("pk", "secret"):
        endpoint.secret_ciphertext = encrypt_secret(endpoint.secret)
        endpoint.save(update_fields=["secret_ciphertext"])


def decrypt_secrets(apps, schema_editor):
    from treatment_pages.webhooks.secrets import SecretUnreadable, decrypt_secret, new_webhook_secret

    WebhookEndpoint = apps.get_model("treatment_pages", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.only("pk", "secret_ciphertext"):
        try:
            endpoint.secret = decrypt_secret(endpoint.secret_ciphertext)
        except SecretUnreadable:
            endpoint.secret = (
                new_webhook_secret()
            )  # unreadable either way: a fresh one to set at the receiver
        endpoint.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_pages", "0009_body_blocks_faq_and_steps"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_ciphertext",
            field=models.TextField(
                default=treatment_pages.webhooks.secrets.new_encrypted_secret, editable=False
            ),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="url",
            field=models.URLField(
                help_text="Where the events are POSTed: a public https:// address (http:// only for testing).",
                max_length=500,
                validators=[treatment_pages.webhooks.targets.validate_webhook_url],
                verbose_name="URL",
            ),
        ),
    ]
