"""Ballot stuffing: one client that drops its voter cookie (or token) must not become many voters.

Each client address may create ``RATINGS_NEW_VOTERS_PER_ADDRESS`` new voters per page
per window; readers who already rated keep changing their own vote.
"""

import secrets
import time

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache

from tests.treatment_pages.ratings_support import Reader, random_ip
from tests.treatment_pages.test_api import APIReader
from treatment_pages.models import Rating, RatingSummary, TreatmentPage
from treatment_pages.ratings.voters import address_key_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    # The per-minute vote limit is not what is tested here.
    settings.RATINGS_VOTE_RATE = "10000/m"
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 5
    settings.RATINGS_NEW_VOTER_WINDOW = 24 * 60 * 60


@pytest.fixture
def other_article(mesotherapy):
    return TreatmentPage.objects.live().exclude(pk=mesotherapy.pk).first()


def summary(page):
    row = RatingSummary.objects.filter(page_id=page.pk).first()
    return (row.count, row.total) if row else (0, 0)


def test_a_client_without_a_cookie_cannot_become_a_sixth_voter_on_a_page(mesotherapy):
    ip = random_ip()

    # Every vote from a fresh cookie jar: a new voter each time, as the attacker did.
    accepted = [Reader(ip=ip).vote(mesotherapy, 5).status_code for _ in range(5)]
    refused = Reader(ip=ip).vote(mesotherapy, 1)
    refused_json = Reader(ip=ip).vote(mesotherapy, 1, json=True)

    assert accepted == [302] * 5
    assert refused.status_code == 429
    page = BeautifulSoup(refused.content, "html.parser")
    assert "Too many people on your network have rated this page today" in page.get_text()
    assert "Ratings already given are kept" in page.get_text()
    assert 1 <= int(refused["Retry-After"]) <= 24 * 60 * 60
    assert "clinic_voter" not in refused.cookies
    assert refused_json.status_code == 429
    assert "Too many people on your network" in refused_json.json()["error"]
    # The earlier votes stand, and the summary stays exact.
    assert summary(mesotherapy) == (5, 25)
    assert Rating.objects.filter(page=mesotherapy).count() == 5
    # Another address is not held back by this one.
    assert Reader().vote(mesotherapy, 1).status_code == 302


def test_api_client_without_a_voter_token_is_refused_as_a_problem_document(mesotherapy):
    ip = random_ip()

    accepted = [APIReader(ip=ip).vote(mesotherapy, 4).status_code for _ in range(5)]
    refused = APIReader(ip=ip).vote(mesotherapy, 4)

    assert accepted == [200] * 5
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    problem = refused.json()
    assert problem["status"] == 429
    assert "Too many people on your network" in problem["detail"]
    assert int(refused["Retry-After"]) >= 1
    assert summary(mesotherapy) == (5, 20)


def test_widget_and_api_share_the_new_voter_count(mesotherapy):
    ip = random_ip()
    for _ in range(3):
        assert Reader(ip=ip).vote(mesotherapy, 5).status_code == 302
    for _ in range(2):
        assert APIReader(ip=ip).vote(mesotherapy, 5).status_code == 200

    assert APIReader(ip=ip).vote(mesotherapy, 5).status_code == 429
    assert Reader(ip=ip).vote(mesotherapy, 5).status_code == 429


def test_a_client_over_the_limit_on_one_page_can_still_rate_another(mesotherapy, other_article):
    ip = random_ip()
    for _ in range(5):
        Reader(ip=ip).vote(mesotherapy, 5)
    assert Reader(ip=ip).vote(mesotherapy, 5).status_code == 429

    assert Reader(ip=ip).vote(other_article, 3).status_code == 302
    assert APIReader(ip=ip).vote(other_article, 3).status_code == 200
    assert summary(other_article) == (2, 6)


def test_readers_who_rated_can_still_change_their_vote_when_their_address_is_over_the_limit(mesotherapy):
    ip = random_ip()
    widget_reader, api_reader = Reader(ip=ip), APIReader(ip=ip)
    assert widget_reader.vote(mesotherapy, 5).status_code == 302
    assert api_reader.vote(mesotherapy, 5).status_code == 200
    for _ in range(3):
        Reader(ip=ip).vote(mesotherapy, 5)
    assert Reader(ip=ip).vote(mesotherapy, 5).status_code == 429

    # With their cookie (or voter token), they are not new: their vote changes.
    assert widget_reader.vote(mesotherapy, 1).status_code == 302
    changed = api_reader.vote(mesotherapy, 2)

    assert changed.status_code == 200
    assert changed.json()["your_score"] == 2
    assert summary(mesotherapy) == (5, 1 + 2 + 5 * 3)


def test_the_count_is_kept_in_the_cache_under_a_keyed_hash_never_the_address(settings, mesotherapy):
    ip = random_ip()
    for _ in range(2):
        Reader(ip=ip).vote(mesotherapy, 4)

    window = int(time.time() // settings.RATINGS_NEW_VOTER_WINDOW)
    key = f"treatment_pages:new_voters:{mesotherapy.pk}:{window}:{address_key_for(ip)}"
    assert cache.get(key) == 2
    assert ip not in key
    # Keyed: another secret gives another hash, so the address cannot be found by trying them all.
    settings.RATINGS_VOTER_SECRET = "another-secret"
    assert address_key_for(ip) not in key
    # Nothing about the address is stored with the ratings.
    for row in Rating.objects.filter(page=mesotherapy).values():
        assert ip not in " ".join(str(value) for value in row.values())


def test_limit_of_zero_switches_it_off(settings, mesotherapy):
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 0
    ip = random_ip()

    assert [Reader(ip=ip).vote(mesotherapy, 3).status_code for _ in range(7)] == [302] * 7


def random_ipv6_network():
    """A /64 of the documentation range no other test uses (the cache is shared within a run)."""
    return f"2001:db8:{secrets.randbelow(0xFFFF):x}:{secrets.randbelow(0xFFFF):x}"


def test_twelve_new_voters_from_one_ipv6_network_are_one_address(mesotherapy):
    network = random_ipv6_network()
    addresses = [f"{network}:{index:x}::{secrets.randbelow(0xFFFF):x}" for index in range(1, 13)]

    statuses = [Reader(ip=address).vote(mesotherapy, 5).status_code for address in addresses]

    assert statuses == [302] * 5 + [429] * 7, "one /64 is one household or phone"
    assert summary(mesotherapy) == (5, 25)
    # The next network is someone else.
    assert Reader(ip=f"{random_ipv6_network()}::1").vote(mesotherapy, 5).status_code == 302


def test_a_client_reaching_the_app_directly_cannot_name_other_addresses(settings, mesotherapy):
    settings.TRUSTED_PROXIES = ["192.0.2.0/24"]
    ip = random_ip()

    # Straight to the app server, a new X-Forwarded-For with every vote (M7).
    statuses = [
        Reader(ip=ip).vote(mesotherapy, 5, HTTP_X_FORWARDED_FOR=random_ip()).status_code for _ in range(6)
    ]

    assert statuses == [302] * 5 + [429]
    # Through the host's own proxy, the address it appended is the client's.
    proxy = "192.0.2.7"
    behind_proxy = [
        Reader(ip=proxy).vote(mesotherapy, 4, HTTP_X_FORWARDED_FOR=f"{ip}, {random_ip()}").status_code
        for _ in range(6)
    ]
    assert behind_proxy == [302] * 6, "six readers behind the proxy, whatever the first one wrote"
