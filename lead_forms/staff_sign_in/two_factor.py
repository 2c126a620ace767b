"""A second factor for staff who may read patient data: TOTP, with single-use recovery codes.

A password alone guards too much here: whoever has a coordinator's password reads every
appointment request. So a user with the patient-data permission (``lead_forms.inbox.permissions``)
who signed in with a password is sent, for every admin view, to one of two pages until the
session is verified (django-otp's ``OTPMiddleware`` tells, from the session):

- **enrol**, when they have no authenticator yet: a QR code and the secret for an
  authenticator app, a code to confirm it, then ten recovery codes shown once;
- **verify**, otherwise: a six-digit code from the app, or one of the recovery codes
  (each works once).

Other users are not asked, unless ``LEAD_FORMS_TWO_FACTOR_FOR_ALL_STAFF`` extends the rule
to everyone who can open the admin; ``LEAD_FORMS_REQUIRE_TWO_FACTOR = False`` turns it off.
Wrong codes slow down: django-otp's devices refuse to check another code for 1, 2, 4...
seconds after each failure. Devices are django-otp's own models (``otp_totp``, ``otp_static``),
so its admin tools and ``manage.py`` commands work on them.

django-otp is imported lazily: a host that turned the requirement off need not install it,
and ``lead_forms.checks`` names the apps and middleware a host that keeps it must add.
"""

from base64 import b32encode
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from ..conf import app_settings
from ..inbox.permissions import user_can_view_requests

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Recovery codes waiting to be shown once, right after they were made.
NEW_CODES_SESSION_KEY = "lead_forms_new_recovery_codes"
ENROL_URL_NAME = "lead_forms_two_factor_enrol"
VERIFY_URL_NAME = "lead_forms_two_factor_verify"
RECOVERY_CODES_URL_NAME = "lead_forms_two_factor_recovery_codes"
# Admin views an unverified user may still open: those Wagtail serves to anyone (the icon
# sprite and translations every admin page loads, signing in, the password reset), signing
# out, the second factor's own pages, and the idle script's passive session probe.
OPEN_URL_NAMES = {
    "wagtailadmin_sprite",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    ENROL_URL_NAME,
    VERIFY_URL_NAME,
    "lead_forms_idle_session",
}


def two_factor_required(user):
    """True when ``user`` must confirm their sign-in with a second factor."""
    if not app_settings.LEAD_FORMS_REQUIRE_TWO_FACTOR:
        return False
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if app_settings.LEAD_FORMS_TWO_FACTOR_FOR_ALL_STAFF and user.has_perm("wagtailadmin.access_admin"):
        return True
    return user_can_view_requests(user)


def is_verified(user):
    """True when this session's sign-in was confirmed with a second factor (django-otp's middleware says)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def totp_device(user, confirmed=True):
    """The user's authenticator app (django-otp ``TOTPDevice``), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).order_by("pk").last()


def pending_totp_device(user):
    """The authenticator the user is enrolling: a new secret, kept until a code confirms it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_people(device):
    """The TOTP secret as authenticator apps take it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def qr_code_svg(device, title):
    """The device's ``otpauth://`` URL as an inline SVG QR code, made here (nothing leaves the server)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title, omitsize=False
    )


def confirm_enrolment(user, device, code):
    """Confirm the pending ``device`` with a first ``code``: ``(confirmed, wait_seconds)`` as ``verify_code``.

    Other unconfirmed secrets of the user (pages opened and left) are dropped.
    """
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return False, wait_seconds(device, details)
    if not device.verify_token(normalise_code(code)):
        return False, 0
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    type(device).objects.filter(user=user, confirmed=False).delete()
    return True, 0


def make_recovery_codes(user):
    """Replace the user's recovery codes with new ones; returns them (stored as django-otp static tokens)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(int(app_settings.LEAD_FORMS_RECOVERY_CODES))]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user):
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def normalise_code(code):
    """What people type, as the devices compare it: spaces and dashes dropped, lower case."""
    return "".join(str(code or "").split()).replace("-", "").lower()


def verify_code(user, code):
    """Check a code against the user's authenticator, or their recovery codes.

    Returns ``(device, wait_seconds)``: the device that accepted the code, or None; and
    when django-otp's throttling refuses to check it yet, how many seconds to wait.
    Six digits go to the authenticator, anything else to the recovery codes, so a
    mistyped code slows down only the device it was meant for.
    """
    from django_otp.plugins.otp_static.models import StaticDevice

    code = normalise_code(code)
    if code.isdigit() and len(code) == 6:
        device = totp_device(user)
    else:
        device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True).first()
    if device is None or not code:
        return None, 0
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return None, wait_seconds(device, details)
    return (device if device.verify_token(code) else None), 0


def wait_seconds(device, details):
    """Seconds until django-otp's throttling lets ``device`` check a code again (at least 1)."""
    from django.utils import timezone

    failures = (details or {}).get("failure_count") or device.throttling_failure_count
    delay = device.get_throttle_factor() * (2 ** (max(failures, 1) - 1))
    if device.throttling_failure_timestamp is None:
        return max(1, int(delay))
    elapsed = (timezone.now() - device.throttling_failure_timestamp).total_seconds()
    return max(1, int(delay - elapsed + 0.999))


def mark_verified(request, device):
    """Record in the session that ``device`` confirmed this sign-in (django-otp's ``login``).

    The session key changes too, as it does at a password sign-in: a session id seen before
    the second factor is not one that reads patient data after it.
    """
    from django_otp import login as otp_login

    request.session.cycle_key()
    otp_login(request, device)


def next_step_url(user, next_url):
    """Where a signed-in user who still owes the second factor is sent: verify, or enrol."""
    name = VERIFY_URL_NAME if totp_device(user) is not None else ENROL_URL_NAME
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return reverse(name) + query


class TwoFactorMiddleware:
    """Sends staff who owe the second factor to verify or enrol, for every admin view.

    List it after ``django_otp.middleware.OTPMiddleware`` (which comes after
    ``AuthenticationMiddleware``): it reads ``request.user.is_verified()``. Only the admin is
    guarded, since that is where patient data is shown; the public site is the same for all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not two_factor_required(user) or is_verified(user):
            return None
        if not request.path.startswith(reverse("wagtailadmin_home")):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_URL_NAMES:
            return None
        next_url = request.get_full_path() if request.method == "GET" else ""
        return redirect(next_step_url(user, next_url))
