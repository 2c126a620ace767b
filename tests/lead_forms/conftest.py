import itertools
import random
import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django_ratelimit import ALL
from django_ratelimit.core import _get_window, _make_cache_key, _split_rate

from lead_forms.models import AppointmentFormPage
from lead_forms.models.pages import RATE_LIMIT_GROUP

VALID_DATA = {
    "first_name": "Zelda",
    "last_name": "Quillfeather",
    "city": "Marblehead",
    "state": "Vermont",
    "email": "zelda.quill@example.org",
    "phone": "(217) 555-0199",
    "please_contact_me_by": "Phone",
    "receive_our_free_newsletter": "on",
    "i_would_like_to": "Ask a question",
    "your_comments": "Sensitive-comment-xyzzy about my knee",
}

_counter = itertools.count(1)


@pytest.fixture
def form_page(demo_site):
    return AppointmentFormPage.objects.get(slug="request-an-appointment")


@pytest.fixture
def make_client_ip():
    """Hands out client IPs no other test uses; their rate-limit counters are deleted afterwards.

    Only the keys these IPs created are removed, so a shared Redis is left alone.
    """
    issued = []

    def make():
        ip = f"198.51.{random.randint(0, 255)}.{next(_counter) % 250 + 1}"
        issued.append(ip)
        return ip

    yield make
    clear_rate_limit(*issued)


def clear_rate_limit(*ips):
    """Delete the submission rate-limit counters of ``ips`` (and nothing else in the cache)."""
    rate = getattr(settings, "LEAD_FORMS_RATE_LIMIT", "5/m")
    _count, period = _split_rate(rate)
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    keys = []
    for ip in ips:
        window = _get_window(ip, period)
        # This window and the one before, in case the test crossed a window's end.
        keys += [_make_cache_key(RATE_LIMIT_GROUP, w, rate, ip, ALL) for w in (window, window - period)]
    cache.delete_many(keys)


@pytest.fixture
def client_ip(make_client_ip):
    return make_client_ip()


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def hidden_value(html, name):
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)" name="{re.escape(name)}"', html
    )
    assert match, f"no {name} in the page"
    return match.group(1)


def open_form(client, page, ip):
    """GET the form like a browser; return the tokens a real post would carry."""
    response = client.get(page.url, REMOTE_ADDR=ip)
    assert response.status_code == 200
    html = response.content.decode()
    return {
        "csrfmiddlewaretoken": hidden_value(html, "csrfmiddlewaretoken"),
        "form-token": hidden_value(html, "form-token"),
    }


def post_form(client, page, ip, data, tokens=None):
    tokens = open_form(client, page, ip) if tokens is None else tokens
    return client.post(page.url, {**tokens, **data}, REMOTE_ADDR=ip)
