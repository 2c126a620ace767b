"""Sign-in throttling, as django-axes does it, fitted to the plugin: client addresses and the lockout page.

lead_forms does not need django-axes, but patient data should not sit behind a password that
can be guessed at 30 tries a minute (the audit's M8). A host that installs axes points two of its
settings here (``docs/security.md``, "Staff sign-in"):

- ``AXES_CLIENT_IP_CALLABLE = "lead_forms.staff_sign_in.throttling.client_address"``: failures are counted per
  client address as the plugin's own rate limits count them (``lead_forms.submissions.client_ip``: proxies
  believed only as the host configures; an IPv6 client is its /64, so one network cannot
  rotate through its addresses);
- ``AXES_LOCKOUT_CALLABLE = "lead_forms.staff_sign_in.throttling.lockout_response"``: the lockout is a page
  like Wagtail's sign-in page that says when to try again and whom to call
  (``LEAD_FORMS_SIGN_IN_HELP``), answered with 429 and ``Retry-After``, not axes' bare text.
"""

import math

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext

from ..conf import app_settings
from ..submissions.client_ip import rate_limit_key


def client_address(request):
    """The address django-axes counts failures for: the client's, IPv6 masked to its network."""
    return rate_limit_key("lead_forms.sign_in", request)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' ``AXES_LOCKOUT_CALLABLE``: the sign-in locked page, with when to retry."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    seconds = int(math.ceil(cool_off.total_seconds())) if cool_off else 0
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": max(1, math.ceil(seconds / 60)) if seconds else None,
        "retry_at": timezone.localtime() + cool_off if cool_off else None,
        "sign_in_help": app_settings.LEAD_FORMS_SIGN_IN_HELP or gettext("an administrator of this site"),
    }
    response = TemplateResponse(request, "lead_forms/admin/sign_in_locked.html", context, status=429)
    response.render()
    if seconds:
        response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
