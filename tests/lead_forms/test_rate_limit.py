"""A per-IP limit on submissions, counted in the configured cache (Redis in the PostgreSQL CI pass)."""

import pytest
from django.conf import settings

from lead_forms.conf import app_settings
from lead_forms.models import AppointmentSubmission
from tests.apps.test_client_ip import BAD_FORWARDED_FOR
from tests.lead_forms.conftest import VALID_DATA, open_form, post_form

pytestmark = pytest.mark.django_db


def test_sixth_request_in_a_minute_is_refused_with_429_and_nothing_stored(
    csrf_client, form_page, make_client_ip
):
    client_ip = make_client_ip()
    assert app_settings.LEAD_FORMS_RATE_LIMIT == "5/m"
    for _ in range(5):
        # Each with a freshly shown form: a token is spent by the request it sends.
        assert post_form(csrf_client, form_page, client_ip, VALID_DATA).status_code == 303
    assert AppointmentSubmission.objects.count() == 5

    response = post_form(csrf_client, form_page, client_ip, VALID_DATA)

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "Please wait a minute before sending another request" in html
    assert "Nothing you typed was saved" in html
    assert "+1 (217) 555-0142" in html  # another way to reach the clinic
    assert AppointmentSubmission.objects.count() == 5
    # Reading the form is never limited.
    assert csrf_client.get(form_page.url, REMOTE_ADDR=client_ip).status_code == 200

    # Another client is unaffected.
    neighbour = make_client_ip()
    response = post_form(csrf_client, form_page, neighbour, VALID_DATA)
    assert response.status_code == 303
    assert AppointmentSubmission.objects.count() == 6


def test_limit_counts_in_the_configured_shared_cache(csrf_client, form_page, client_ip):
    """With REDIS_URL set the counter lives in Redis, shared by every app server."""
    from django.core.cache import caches

    post_form(csrf_client, form_page, client_ip, VALID_DATA)

    cache = caches[settings.RATELIMIT_USE_CACHE]
    if settings.REDIS_URL:
        assert type(cache).__name__ == "RedisCache"
    from django_ratelimit import ALL
    from django_ratelimit.core import _get_window, _make_cache_key

    from lead_forms.models.pages import RATE_LIMIT_GROUP

    key = _make_cache_key(RATE_LIMIT_GROUP, _get_window(client_ip, 60), "5/m", client_ip, ALL)
    assert cache.get(key) == 1


def test_cache_outage_lets_patients_through(csrf_client, form_page, client_ip, monkeypatch, caplog):
    tokens = open_form(csrf_client, form_page, client_ip)

    def cache_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr("lead_forms.models.pages.is_ratelimited", cache_down)
    response = post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)

    assert response.status_code == 303
    assert AppointmentSubmission.objects.count() == 1
    assert "Rate limit check failed (ConnectionError); request allowed" in caplog.text


@pytest.mark.parametrize("forwarded", BAD_FORWARDED_FOR)
def test_appointment_rate_limit_holds_whatever_x_forwarded_for_holds(
    settings, csrf_client, form_page, make_client_ip, forwarded
):
    proxy_ip = make_client_ip()  # the load balancer's address: the fallback
    settings.TRUSTED_PROXIES = [proxy_ip]

    statuses = [
        # Each from a freshly shown form: a token is spent by the request it sends.
        csrf_client.post(
            form_page.url,
            {**open_form(csrf_client, form_page, proxy_ip), **VALID_DATA},
            REMOTE_ADDR=proxy_ip,
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code
        for _ in range(6)
    ]

    assert statuses == [303] * 5 + [429]


def test_a_client_reaching_the_app_directly_cannot_spoof_its_address_past_the_limit(
    settings, csrf_client, form_page, make_client_ip
):
    settings.TRUSTED_PROXIES = ["192.0.2.0/24"]  # the host's load balancers; this client is not one
    client_ip = make_client_ip()

    statuses = [
        csrf_client.post(
            form_page.url,
            {**open_form(csrf_client, form_page, client_ip), **VALID_DATA},
            REMOTE_ADDR=client_ip,
            HTTP_X_FORWARDED_FOR=make_client_ip(),  # a new address claimed with every request
        ).status_code
        for _ in range(6)
    ]

    assert statuses == [303] * 5 + [429]
