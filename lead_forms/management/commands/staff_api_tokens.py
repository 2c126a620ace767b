"""List Wagtail's API tokens with what matters for patient data: last use, expiry, and whether
the token's user may read appointment requests.

Wagtail's own ``api_tokens list`` shows creation and last use but knows nothing of the
expiry the staff API applies (``lead_forms.api.tokens``); this is that list with the expiry
column. Tokens are created and revoked with Wagtail's ``api_tokens create`` / ``revoke``.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from wagtail.models import APIToken

from lead_forms.api import tokens as api_tokens
from lead_forms.inbox.permissions import user_can_view_requests


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "never"


class Command(BaseCommand):
    help = (
        "List API tokens (not revoked) with creation, last use and expiry; tokens whose user may read "
        "appointment requests are marked. Create and revoke them with Wagtail's api_tokens command."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help="only this user's tokens (their username)")
        parser.add_argument("--expired", action="store_true", help="only tokens that have expired")

    def handle(self, *args, user=None, expired=False, **options):
        tokens = APIToken.objects.filter(revoked_at__isnull=True).select_related("user").order_by("-created")
        if user:
            tokens = tokens.filter(user__username=user)
        now = timezone.now()
        self.stdout.write("id\tprefix\tname\tuser\tpatient data\tcreated\tlast used\texpires")
        for token in tokens:
            is_expired = api_tokens.is_expired(token, now)
            if expired and not is_expired:
                continue
            ends = api_tokens.expires_at(token)
            expiry = "never" if ends is None else ("expired " if is_expired else "") + _when(ends)
            self.stdout.write(
                # The space before the ellipsis keeps it out of copy-pasted prefixes (as Wagtail's list).
                f"{token.pk}\t{token.prefix} …\t{token.name}\t{token.user.get_username()}\t"
                f"{'yes' if user_can_view_requests(token.user) else 'no'}\t"
                f"{_when(token.created)}\t{_when(token.last_used_at)}\t{expiry}"
            )
