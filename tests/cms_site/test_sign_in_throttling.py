"""Failed staff sign-ins are throttled (django-axes, wired in cms_site.settings.base; lead_forms.staff_sign_in.throttling).

Ten wrong passwords lock the username, and the address they came from, for AXES_COOLOFF_TIME
(15 minutes); the lockout is a page that says when to try again and whom to call.
"""

import time
from datetime import timedelta

import pytest
from django.test import Client

from tests.factories import UserFactory

PASSWORD = "a-long-test-password"  # noqa: S105 - tests.factories.UserFactory's


@pytest.fixture
def staff(demo_site):
    return UserFactory(username="frontdesk", is_superuser=True)


def sign_in(username, password, address="203.0.113.10"):
    return Client(REMOTE_ADDR=address).post("/admin/login/", {"username": username, "password": password})


def fail(times, username="frontdesk", address="203.0.113.10"):
    return [sign_in(username, "not-the-password", address) for _ in range(times)]


def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(staff):
    answers = fail(9)
    assert [response.status_code for response in answers] == [200] * 9
    assert "Your username and password didn&#x27;t match" in answers[-1].content.decode()

    tenth = fail(1)[0]
    assert tenth.status_code == 429

    refused = sign_in("frontdesk", PASSWORD)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Sign-in locked" in html
    assert "Sign-in is locked after 10 wrong passwords, for this account or from this network." in html
    assert "Try again in 15 minutes, after " in html
    assert "Call an administrator of this site." in html
    assert refused["Retry-After"] == "900"
    assert "sessionid" not in refused.cookies or not refused.cookies["sessionid"].value


def test_nine_wrong_passwords_do_not_lock_anyone_out(staff):
    fail(9)
    response = sign_in("frontdesk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_account_is_locked_from_every_address(staff):
    for number in range(10):
        fail(1, address=f"198.51.100.{number + 1}")
    assert sign_in("frontdesk", PASSWORD, address="192.0.2.77").status_code == 429


def test_an_address_guessing_many_accounts_is_locked_out_for_all_of_them(staff):
    for number in range(10):
        fail(1, username=f"guess{number}")
    assert sign_in("frontdesk", PASSWORD).status_code == 429
    # The same account from elsewhere is not locked: nobody guessed its password ten times.
    assert sign_in("frontdesk", PASSWORD, address="192.0.2.77").status_code == 302


def test_an_ipv6_network_counts_as_one_address(staff):
    for number in range(10):
        fail(1, username=f"guess{number}", address=f"2001:db8:1:2::{number + 1:x}")
    assert sign_in("frontdesk", PASSWORD, address="2001:db8:1:2:ffff::1").status_code == 429
    assert sign_in("frontdesk", PASSWORD, address="2001:db8:1:3::1").status_code == 302


def test_after_the_cool_off_the_right_password_works_again(staff, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=2)
    fail(10)
    locked = sign_in("frontdesk", PASSWORD)
    assert locked.status_code == 429
    assert "Try again in 1 minute, after " in locked.content.decode()
    assert locked["Retry-After"] == "2"

    time.sleep(2.2)
    response = sign_in("frontdesk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_lockout_page_names_whom_to_call(staff, settings):
    settings.LEAD_FORMS_SIGN_IN_HELP = "the practice manager on 555 0100"
    fail(10)
    response = sign_in("frontdesk", PASSWORD)
    assert response.status_code == 429
    assert "Call the practice manager on 555 0100." in response.content.decode()
