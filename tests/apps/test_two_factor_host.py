"""The second factor and throttled sign-in on a host that followed the README (no reference site),
and what ``manage.py check`` says when a host left a line out."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings

from tests.apps import settings as host
from tests.apps.test_checks import check_output
from tests.two_factor import current_code, fresh_authenticator

PASSWORD = "a-long-test-password"  # noqa: S105 - tests.factories.UserFactory's
OTP = "django_otp.middleware.OTPMiddleware"
TWO_FACTOR = "lead_forms.staff_sign_in.two_factor.TwoFactorMiddleware"


@pytest.fixture
def coordinator(host_home):
    from lead_forms.inbox.permissions import ensure_coordinators_group
    from tests.factories import UserFactory

    user = UserFactory(username="frontdesk")
    user.groups.add(ensure_coordinators_group())
    return user


def test_a_coordinator_gives_the_authenticator_code_before_the_admin(coordinator):
    device = fresh_authenticator(coordinator)
    client = Client()
    assert client.post("/admin/login/", {"username": "frontdesk", "password": PASSWORD}).status_code == 302

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/lead-forms/two-factor/verify/")
    verified = client.post("/admin/lead-forms/two-factor/verify/", {"code": current_code(device)})
    assert verified.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_ten_wrong_passwords_lock_the_account_on_the_host(coordinator):
    for _ in range(10):
        Client().post("/admin/login/", {"username": "frontdesk", "password": "wrong"})
    response = Client().post("/admin/login/", {"username": "frontdesk", "password": PASSWORD})
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()


def without(*names):
    return [name for name in host.MIDDLEWARE if name not in names]


@pytest.mark.django_db  # Django 6 runs the model checks against the database
@pytest.mark.parametrize("missing", [OTP, TWO_FACTOR])
def test_a_missing_two_factor_middleware_is_named(missing):
    output = check_output(MIDDLEWARE=without(missing))

    assert "lead_forms.E013" in output
    assert f"which needs {missing}" in output
    assert f'"{OTP}" then "{TWO_FACTOR}" to MIDDLEWARE' in output


@pytest.mark.django_db  # Django 6 runs the model checks against the database
def test_two_factor_middleware_before_django_otps_is_named():
    middleware = without(TWO_FACTOR)
    middleware.insert(middleware.index(OTP), TWO_FACTOR)
    output = check_output(MIDDLEWARE=middleware)

    assert "lead_forms.E013" in output
    assert "in that order" in output


@pytest.mark.django_db  # Django 6 runs the model checks against the database
def test_a_host_that_turns_the_second_factor_off_is_warned_not_stopped():
    assert check_output(LEAD_FORMS_REQUIRE_TWO_FACTOR=False, MIDDLEWARE=without(OTP, TWO_FACTOR)) == ""
    # A warning (W011) is printed but does not fail `manage.py check`; --fail-level WARNING shows it.
    with override_settings(LEAD_FORMS_REQUIRE_TWO_FACTOR=False), pytest.raises(SystemCheckError) as error:
        call_command("check", "--fail-level=WARNING", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert "lead_forms.W013" in str(error.value)
    assert "Two-factor sign-in is OFF" in str(error.value)


def test_a_host_without_sign_in_throttling_is_warned(monkeypatch):
    from lead_forms import checks

    # The app registry cannot drop "axes" in-process: the check asks it, so it is told "not installed".
    monkeypatch.setattr(checks.apps, "is_installed", lambda name: name != "axes")
    messages = checks.check_two_factor(None)

    assert [message.id for message in messages] == ["lead_forms.W014"]
    assert '"axes.backends.AxesBackend" first in AUTHENTICATION_BACKENDS' in messages[0].hint
    assert "AXES_CLIENT_IP_CALLABLE" in messages[0].hint
