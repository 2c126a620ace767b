"""Staff who may read patient data are signed out when idle; other editors keep the normal admin session."""

import re
import time

import pytest
from django.conf import settings as django_settings
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


class Clock:
    """Stands in for the middleware's ``time`` module: the test moves it on."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from lead_forms import middleware

    fake = Clock()
    monkeypatch.setattr(middleware, "time", fake)
    return fake


def test_an_open_edit_view_pinging_every_10_seconds_does_not_keep_a_patient_data_user_signed_in(
    superuser, home_page, clock, settings
):
    """M4: Wagtail's editing-session ping is what the tab does, not what the person does."""
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 900
    client = Client()
    client.force_login(superuser)  # may read patient data and edit pages
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[home_page.pk]))
    assert edit.status_code == 200
    ping_url = re.search(r'data-w-swap-src-value="([^"]+)"', edit.content.decode()).group(1)
    assert ping_url.startswith("/admin/editing-sessions/ping/")
    opened = clock.now

    answers = []
    while clock.now < opened + 900 + 30:
        clock.now += 10
        answers.append((clock.now - opened, client.post(ping_url).status_code))

    within = [status for elapsed, status in answers if elapsed <= 900]
    assert within and set(within) == {200}  # the pings were served while the session lived
    past = [status for elapsed, status in answers if elapsed > 900]
    assert 200 not in past
    # Signed out after the limit, as if the tab had been closed.
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_background_requests_do_not_count_but_a_person_s_requests_do(superuser, home_page, clock, settings):
    settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS = 900
    client = Client()
    client.force_login(superuser)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[home_page.pk]))
    ping_url = re.search(r'data-w-swap-src-value="([^"]+)"', edit.content.decode()).group(1)
    started = client.session[SESSION_KEY]

    clock.now += 600
    assert client.post(ping_url).status_code == 200
    assert client.get(reverse(SESSION_URL)).json()["seconds_left"] == 300
    assert client.session[SESSION_KEY] == started

    # Opening a page (or an autosave, or "Stay signed in") is the person: the clock starts again.
    assert client.get(ADMIN).status_code == 200
    assert client.session[SESSION_KEY] == clock.now
    assert client.get(reverse(SESSION_URL)).json()["seconds_left"] == 900


@pytest.mark.parametrize("who", ["coordinator", "page_editor"])
def test_get_on_the_logout_url_leaves_the_cookie_and_the_session_together(who, request):
    """Django's logout takes POST only; Wagtail's view used to delete the cookie on the 405 anyway."""
    client = signed_in(request.getfixturevalue(who))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    response = client.get(reverse("wagtailadmin_logout"))

    assert response.status_code == 405
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies  # not deleted
    assert client.get(ADMIN).status_code == 200  # still signed in, and says so

    # POST signs out for real: the old cookie no longer opens the admin.
    response = client.post(reverse("wagtailadmin_logout"))
    assert response.status_code == 302
    old = Client()
    old.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    response = old.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
