"""A per-IP limit on submissions, counted in the configured cache (Redis in the PostgreSQL CI pass)."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings

from lead_forms.conf import app_settings
from lead_forms.models import AppointmentSubmission
from lead_forms.submissions import thank_you
from tests.apps.test_client_ip import BAD_FORWARDED_FOR
from tests.lead_forms.conftest import VALID_DATA, clear_rate_limit, open_form, post_form

pytestmark = pytest.mark.django_db


def answers(n):
    """Valid answers of the ``n``-th request: the same answers twice are one request."""
    return {**VALID_DATA, "your_comments": f"Request number {n}"}


def test_sixth_request_in_a_minute_is_refused_with_429_and_nothing_stored(
    csrf_client, form_page, make_client_ip
):
    client_ip = make_client_ip()
    assert app_settings.LEAD_FORMS_RATE_LIMIT == "5/m"
    for n in range(5):
        # Each with a freshly shown form: a token is spent by the request it sends.
        assert post_form(csrf_client, form_page, client_ip, answers(n)).status_code == 303
    assert AppointmentSubmission.objects.count() == 5

    response = post_form(csrf_client, form_page, client_ip, answers(5))

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
            {**open_form(csrf_client, form_page, proxy_ip), **answers(n)},
            REMOTE_ADDR=proxy_ip,
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code
        for n in range(6)
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
            {**open_form(csrf_client, form_page, client_ip), **answers(n)},
            REMOTE_ADDR=client_ip,
            HTTP_X_FORWARDED_FOR=make_client_ip(),  # a new address claimed with every request
        ).status_code
        for n in range(6)
    ]

    assert statuses == [303] * 5 + [429]


INVALID_DATA = {**VALID_DATA, "last_name": "", "email": "not-an-address"}


def test_sends_with_mistakes_do_not_use_up_the_limit(csrf_client, form_page, client_ip):
    """The README's promise: the limit counts accepted requests. A patient who gets the
    form wrong six times still has their five requests."""
    tokens = open_form(csrf_client, form_page, client_ip)
    for _ in range(6):
        response = post_form(csrf_client, form_page, client_ip, INVALID_DATA, tokens=tokens)
        assert response.status_code == 200
        assert "Enter your last name" in response.content.decode()

    statuses = [post_form(csrf_client, form_page, client_ip, answers(n)).status_code for n in range(6)]

    assert statuses == [303] * 5 + [429]
    assert AppointmentSubmission.objects.count() == 5


def test_every_send_meets_a_higher_ceiling(settings, csrf_client, form_page, client_ip):
    settings.LEAD_FORMS_SEND_RATE_LIMIT = "8/m"
    tokens = open_form(csrf_client, form_page, client_ip)

    statuses = [
        post_form(csrf_client, form_page, client_ip, INVALID_DATA, tokens=tokens).status_code
        for _ in range(9)
    ]

    assert statuses == [200] * 8 + [429]
    assert "Please wait a minute" in post_form(csrf_client, form_page, client_ip, VALID_DATA).content.decode()
    assert not AppointmentSubmission.objects.exists()


def test_sending_a_stored_request_again_is_not_counted(csrf_client, form_page, client_ip):
    for n in range(4):
        assert post_form(csrf_client, form_page, client_ip, answers(n)).status_code == 303
    tokens = open_form(csrf_client, form_page, client_ip)
    fifth = post_form(csrf_client, form_page, client_ip, answers(4), tokens=tokens)
    assert fifth.status_code == 303

    # A double click on the fifth, and a send of the same answers from the form shown
    # again: its thank-you page again, not "please wait".
    again = post_form(csrf_client, form_page, client_ip, answers(4), tokens=tokens)
    refetched = post_form(csrf_client, form_page, client_ip, answers(4))

    reference = AppointmentSubmission.objects.latest("pk").reference
    for response in (fifth, again, refetched):
        assert response.status_code == 303
        token = parse_qs(urlparse(response["Location"]).query)["r"][0]
        assert thank_you.read_token(form_page.pk, token) == reference
    assert AppointmentSubmission.objects.count() == 5


def test_a_refused_request_leaves_its_form_token_unspent(csrf_client, form_page, make_client_ip):
    """Over the limit nothing is stored, so the token must not point later sends at a
    reference that was never saved."""
    client_ip = make_client_ip()
    for n in range(5):
        post_form(csrf_client, form_page, client_ip, answers(n))
    tokens = open_form(csrf_client, form_page, client_ip)
    assert post_form(csrf_client, form_page, client_ip, answers(5), tokens=tokens).status_code == 429

    clear_rate_limit(client_ip)  # a minute later
    response = post_form(csrf_client, form_page, client_ip, answers(5), tokens=tokens, follow=True)

    assert response.status_code == 200
    stored = AppointmentSubmission.objects.latest("pk")
    assert stored.reference in response.content.decode()
    assert not stored.is_spam
    assert AppointmentSubmission.objects.count() == 6
