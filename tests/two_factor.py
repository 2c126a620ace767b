"""Test helpers for the second factor (lead_forms.staff_sign_in.two_factor): codes as an authenticator app makes them.

``Client.force_login`` stands for a finished sign-in in most tests; tests/conftest.py makes it
also record a verified second factor for users who owe one, so the suite's admin tests keep
testing what they test. The second factor's own tests sign in through the forms instead.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from lead_forms.staff_sign_in.two_factor import TOTP_DEVICE_NAME, two_factor_required

FORCE_LOGIN_DEVICE_NAME = "Signed in by the test client"


def current_code(device, steps_ahead=0):
    """The six digits ``device``'s authenticator app shows now (or ``steps_ahead`` periods later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + steps_ahead):06d}"


def fresh_authenticator(user):
    """A confirmed authenticator for ``user``, replacing any other: its codes are unused."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)


def mark_client_verified(client, user):
    """Record in ``client``'s session that ``user`` gave a second factor, as the verify page does."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=FORCE_LOGIN_DEVICE_NAME, defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def force_login_with_second_factor(original):
    """``Client.force_login`` that also passes the second factor where lead_forms asks for one."""

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if two_factor_required(user):
            mark_client_verified(self, user)

    return force_login
