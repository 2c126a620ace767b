"""Staff who may read patient data give a second factor after their password (lead_forms.staff_sign_in.two_factor).

These tests sign in through Wagtail's login form, as people do (``force_login`` gives the
second factor by itself: tests/conftest.py).
"""

import io
import re
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.two_factor import current_code, fresh_authenticator

PASSWORD = "a-long-test-password"  # noqa: S105 - tests.factories.UserFactory's
INBOX = "/admin/lead_forms/appointmentsubmission/"
ENROL = "/admin/lead-forms/two-factor/enrol/"
VERIFY = "/admin/lead-forms/two-factor/verify/"
RECOVERY = "/admin/lead-forms/two-factor/recovery-codes/"


def sign_in_with_password(user, next_url="/admin/"):
    client = Client()
    response = client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == next_url
    return client


def recovery_codes_on(html):
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)


def enrol(client, user):
    """Sign-in's first time: the enrol page, a code from the new secret; returns the recovery codes page's HTML."""
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": current_code(device), "next": "/admin/"})
    assert response.status_code == 302
    codes_page = client.get(response["Location"])
    assert codes_page.status_code == 200
    return codes_page.content.decode()


def test_a_coordinator_without_an_authenticator_enrols_then_gets_ten_recovery_codes_once(coordinator):
    client = sign_in_with_password(coordinator)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<title>QR code to scan with an authenticator app</title>" in html
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    secret = re.search(r'<code id="two-factor-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(secret.replace(" ", "")) == 32  # the 20-byte key, base32
    # The QR code is drawn here, not fetched from anywhere.
    assert "http" not in re.search(r"<svg.*?</svg>", html, re.S).group(0).replace("http://www.w3.org", "")

    wrong = client.post(ENROL, {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "That code did not match" in wrong.content.decode()
    assert client.get(INBOX).status_code == 302  # still not through
    time.sleep(1.1)  # the wait django-otp asks after a wrong code

    confirmed = client.post(ENROL, {"code": current_code(device), "next": INBOX})
    assert confirmed.status_code == 302
    codes_page = client.get(confirmed["Location"])
    assert codes_page.status_code == 200
    codes = recovery_codes_on(codes_page.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert f'href="{INBOX}"' in codes_page.content.decode()
    # Shown once: the page does not show them again.
    assert recovery_codes_on(client.get(RECOVERY).content.decode()) == []
    assert client.get(INBOX).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_coordinator_with_an_authenticator_gives_its_code_before_the_inbox(coordinator):
    device = fresh_authenticator(coordinator)
    client = sign_in_with_password(coordinator)

    response = client.get(INBOX + "?status=new")
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{VERIFY}?next=%2Fadmin%2Flead_forms%2Fappointmentsubmission%2F%3Fstatus%3Dnew"
    )
    # Every admin view, not only the inbox.
    assert client.get("/admin/pages/").status_code == 302
    assert client.get("/admin/").status_code == 302
    # Enrolling another authenticator is no way around it.
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1

    wrong = client.post(VERIFY, {"code": "12345a"})
    assert wrong.status_code == 400
    assert "That code is not right, or was already used." in wrong.content.decode()
    assert client.get(INBOX).status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above made the next check wait a second
    device.save()
    session_before = client.cookies["sessionid"].value
    verified = client.post(VERIFY, {"code": current_code(device), "next": INBOX + "?status=new"})
    assert verified.status_code == 302
    assert verified["Location"] == INBOX + "?status=new"
    assert client.cookies["sessionid"].value != session_before
    assert client.get(INBOX).status_code == 200
    # A code is good once: the same code does not verify another session.
    other = sign_in_with_password(coordinator)
    assert other.post(VERIFY, {"code": current_code(device)}).status_code == 400


def test_wrong_codes_in_a_row_are_slowed_down(coordinator):
    device = fresh_authenticator(coordinator)
    client = sign_in_with_password(coordinator)
    wrong = "000000" if current_code(device) != "000000" else "111111"

    assert client.post(VERIFY, {"code": wrong}).status_code == 400
    second = client.post(VERIFY, {"code": current_code(device)})
    # Even the right code is not checked during the wait after a wrong one.
    assert second.status_code == 400
    assert "Too many wrong codes. Wait 1 second, then try again." in second.content.decode()
    assert client.get(INBOX).status_code == 302


def test_a_recovery_code_signs_in_once(coordinator):
    client = sign_in_with_password(coordinator)
    codes = recovery_codes_on(enrol(client, coordinator))
    assert StaticToken.objects.filter(device__user=coordinator).count() == 10

    later = sign_in_with_password(coordinator)
    response = later.post(VERIFY, {"code": codes[3].upper()[:4] + "-" + codes[3][4:], "next": INBOX})
    assert response.status_code == 302
    assert response["Location"] == INBOX
    inbox = later.get(INBOX)
    assert inbox.status_code == 200
    assert "You signed in with a recovery code; 9 are left." in inbox.content.decode()

    again = sign_in_with_password(coordinator)
    assert again.post(VERIFY, {"code": codes[3]}).status_code == 400
    assert again.get(INBOX).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(coordinator):
    client = sign_in_with_password(coordinator)
    old_codes = recovery_codes_on(enrol(client, coordinator))

    assert "You have 10 unused recovery codes." in client.get(RECOVERY).content.decode()
    response = client.post(RECOVERY)
    assert response.status_code == 302
    new_codes = recovery_codes_on(client.get(response["Location"]).content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)

    later = sign_in_with_password(coordinator)
    assert later.post(VERIFY, {"code": old_codes[0]}).status_code == 400
    time.sleep(1.1)  # the wait django-otp asks after a wrong code
    assert later.post(VERIFY, {"code": new_codes[0]}).status_code == 302


def test_the_recovery_codes_page_asks_for_the_second_factor_first(coordinator):
    fresh_authenticator(coordinator)
    client = sign_in_with_password(coordinator)

    response = client.post(RECOVERY)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert not StaticToken.objects.filter(device__user=coordinator).exists()


def test_staff_without_the_patient_data_permission_are_not_asked(page_editor):
    client = sign_in_with_password(page_editor)
    assert client.get("/admin/").status_code == 200
    # Nor offered an authenticator nobody would ask them for.
    assert client.get(ENROL)["Location"] == "/admin/"
    assert not TOTPDevice.objects.filter(user=page_editor).exists()
    # Wagtail sends an editor from the page explorer's root to their own part of the tree.
    assert client.get("/admin/pages/")["Location"].startswith("/admin/pages/")


def test_a_setting_asks_every_member_of_staff(page_editor, settings):
    settings.LEAD_FORMS_TWO_FACTOR_FOR_ALL_STAFF = True
    client = sign_in_with_password(page_editor)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_superusers_are_asked_too(superuser):
    client = sign_in_with_password(superuser)
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_turned_off_nobody_is_asked(coordinator, settings):
    settings.LEAD_FORMS_REQUIRE_TWO_FACTOR = False
    client = sign_in_with_password(coordinator)
    assert client.get(INBOX).status_code == 200


def test_what_every_admin_page_loads_needs_no_second_factor(coordinator):
    """The code pages look like the admin: its icon sprite and translations must load there."""
    fresh_authenticator(coordinator)
    client = sign_in_with_password(coordinator)
    sprite = client.get("/admin/sprite/")
    assert sprite.status_code == 200
    assert "<svg" in sprite.content.decode()
    assert client.get("/admin/jsi18n/").status_code == 200


def test_signing_out_needs_no_second_factor(coordinator):
    fresh_authenticator(coordinator)
    client = sign_in_with_password(coordinator)
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_public_site_is_the_same_for_a_coordinator_who_has_not_given_the_code(coordinator, home_page):
    fresh_authenticator(coordinator)
    client = sign_in_with_password(coordinator)
    assert client.get(home_page.url).status_code == 200


def test_the_verify_page_sends_only_to_this_site(coordinator):
    device = fresh_authenticator(coordinator)
    client = sign_in_with_password(coordinator)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("url", [ENROL, VERIFY, RECOVERY])
def test_the_pages_are_for_signed_in_staff_only(client, url, demo_site):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_force_login_in_tests_stands_for_a_finished_sign_in(client, coordinator):
    """What tests/conftest.py promises the rest of the suite."""
    client.force_login(coordinator)
    assert client.get(INBOX).status_code == 200


def test_an_administrator_resets_a_lost_second_factor(coordinator):
    client = sign_in_with_password(coordinator)
    enrol(client, coordinator)
    out = io.StringIO()

    call_command("reset_two_factor", "frontdesk", stdout=out)

    assert "Deleted 2 second-factor device(s) of 'frontdesk'" in out.getvalue()
    later = sign_in_with_password(coordinator)
    assert later.get("/admin/")["Location"].startswith(ENROL)
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("reset_two_factor", "nobody", stdout=out)
