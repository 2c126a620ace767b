"""Staff who may read patient data are signed out when idle; other editors keep the normal admin session."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from lead_forms.middleware import SESSION_KEY

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
SESSION_URL = "lead_forms_idle_session"


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


def test_a_coordinator_idle_past_the_limit_is_signed_out(coordinator, settings):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 900
    client = signed_in(coordinator)

    idle_for(client, 901)
    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    login = client.get(response["Location"])
    assert "signed out after 15 minutes without activity" in login.content.decode()
    assert client.get(ADMIN).status_code == 302  # still signed out


def test_a_coordinator_active_within_the_limit_stays_signed_in(coordinator, settings):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 900
    client = signed_in(coordinator)
    idle_for(client, 880)
    assert client.get(ADMIN).status_code == 200
    # That request was activity: the clock starts again.
    assert time.time() - client.session[SESSION_KEY] < 5


def test_an_editor_without_the_permission_keeps_the_normal_session(page_editor, settings):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 900
    client = signed_in(page_editor)
    idle_for(client, 10_000)
    assert client.get(ADMIN).status_code == 200
    assert client.get(reverse(SESSION_URL)).json() == {"idle_logout": False, "seconds_left": None}


def test_the_warning_script_reads_time_left_without_counting_as_activity(coordinator, settings):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 900
    client = signed_in(coordinator)
    assert 'src="/static/lead_forms/js/idle-logout.js"' in client.get(ADMIN).content.decode()

    idle_for(client, 850)
    state = client.get(reverse(SESSION_URL)).json()
    assert state["idle_logout"] is True
    assert 45 <= state["seconds_left"] <= 50
    assert client.get(reverse(SESSION_URL)).json()["seconds_left"] <= 50  # asking did not reset the clock

    # "Stay signed in" does.
    assert client.post(reverse(SESSION_URL)).json()["seconds_left"] >= 895
