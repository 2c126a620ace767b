"""Idle sign-out on a host that followed the README: a patient-data user away too long is signed
out on the next admin request, and ``manage.py check`` names the middleware line when it is missing."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from lead_forms.middleware import SESSION_KEY
from tests.apps import settings as host
from tests.apps.test_checks import check_output

ADMIN = "/admin/"
IDLE_MIDDLEWARE = "lead_forms.middleware.IdleLogoutMiddleware"


@pytest.fixture
def coordinator(host_home):
    from lead_forms.inbox.permissions import ensure_coordinators_group
    from tests.factories import UserFactory

    user = UserFactory(username="frontdesk")
    user.groups.add(ensure_coordinators_group())
    return user


def signed_in(user):
    client = Client()
    client.force_login(user)
    response = client.get(ADMIN)
    assert response.status_code == 200
    return client


def idle_for(client, seconds):
    session = client.session
    session[SESSION_KEY] = time.time() - seconds
    session.save()


@pytest.mark.django_db
def test_a_patient_data_user_idle_past_the_limit_is_signed_out_on_the_next_admin_request(
    coordinator, settings
):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 900
    client = signed_in(coordinator)

    idle_for(client, 880)
    assert client.get(ADMIN).status_code == 200  # within the limit: still signed in

    idle_for(client, 901)
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert "signed out after 15 minutes without activity" in client.get(response["Location"]).content.decode()
    assert client.get(ADMIN).status_code == 302  # and stays signed out


@pytest.mark.django_db  # Django 6 runs the model checks against the database
def test_the_check_names_the_middleware_line_when_the_host_has_not_added_it():
    without = [name for name in host.MIDDLEWARE if name != IDLE_MIDDLEWARE]
    output = check_output(MIDDLEWARE=without)
    assert "lead_forms.E010" in output
    assert f'Add "{IDLE_MIDDLEWARE}" to MIDDLEWARE, right after' in output
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" in output


@pytest.mark.django_db  # Django 6 runs the model checks against the database
def test_the_check_is_quiet_where_idle_sign_out_is_switched_off():
    without = [name for name in host.MIDDLEWARE if name != IDLE_MIDDLEWARE]
    assert check_output(MIDDLEWARE=without, LEAD_FORMS_IDLE_LOGOUT_SECONDS=0) == ""


@pytest.mark.django_db  # Django 6 runs the model checks against the database
def test_the_check_fires_when_the_middleware_runs_before_authentication():
    misplaced = [IDLE_MIDDLEWARE, *(name for name in host.MIDDLEWARE if name != IDLE_MIDDLEWARE)]
    assert "lead_forms.E010" in check_output(MIDDLEWARE=misplaced)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "message"), [(60, "after 1 minute without"), (120, "after 2 minutes without")]
)
def test_the_sign_in_page_says_how_long_in_proper_english(coordinator, settings, limit, message):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = limit
    client = signed_in(coordinator)
    idle_for(client, limit + 1)

    login = client.get(client.get(ADMIN)["Location"])

    assert login.status_code == 200
    assert message in login.content.decode()


@pytest.mark.django_db
def test_every_admin_page_loads_the_idle_warning_with_its_name_text_and_few_milestones(coordinator):
    """The words come from the server (translated); the script builds a named dialog and
    speaks only at the milestones (lead_forms/js/idle-logout.js)."""
    import json

    from bs4 import BeautifulSoup

    response = signed_in(coordinator).get(ADMIN)

    soup = BeautifulSoup(response.content, "html.parser")
    tag = soup.find("script", src="/static/lead_forms/js/idle-logout.js")
    assert tag["data-title"] == "You will be signed out soon"
    assert "anything you have not saved will be lost" in tag["data-warning"]
    assert tag["data-time-left"] == "Time left: %(time)s"
    assert json.loads(tag["data-milestones"]) == {
        "30": "30 seconds left before you are signed out.",
        "10": "10 seconds left before you are signed out.",
    }
    assert tag["data-stay-label"] == "Stay signed in"
