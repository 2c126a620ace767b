"""Re-encrypt every webhook signing secret under the current SECRET_KEY.

After rotating ``SECRET_KEY`` (the old one moved to ``SECRET_KEY_FALLBACKS``), run this,
then drop the old key from the fallbacks: secrets still under the old key would become
unreadable. Secrets that open with no key are listed, left as they are, and need a new
secret in the admin.
"""

from django.core.management.base import BaseCommand

from treatment_pages.models import WebhookEndpoint
from treatment_pages.webhooks.secrets import SecretUnreadable, reseal


class Command(BaseCommand):
    help = "Re-encrypt webhook signing secrets under the current SECRET_KEY (after a key rotation)."

    def handle(self, *args, **options):
        resealed, unreadable = 0, []
        for endpoint in WebhookEndpoint.objects.only("pk", "url", "secret_ciphertext"):
            try:
                endpoint.secret_ciphertext = reseal(endpoint.secret_ciphertext)
            except SecretUnreadable:
                unreadable.append(endpoint)
                continue
            endpoint.save(update_fields=["secret_ciphertext"])
            resealed += 1
        self.stdout.write(f"{resealed} webhook secret(s) re-encrypted under the current SECRET_KEY.")
        for endpoint in unreadable:
            self.stderr.write(
                f"Endpoint {endpoint.pk} ({endpoint.url}): unreadable; set a new secret in the admin."
            )
