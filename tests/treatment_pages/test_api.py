"""Ratings through the v3 API: the same vote service, summary and limits as the article's widget."""

import json

import pytest
from django.test import Client

from tests.apps.test_client_ip import BAD_FORWARDED_FOR
from tests.treatment_pages.ratings_support import Reader, random_ip, summary_text
from treatment_pages.models import Rating
from treatment_pages.ratings.voters import voter_key_for

pytestmark = pytest.mark.django_db

FRONT_END = "https://front.clinic.example"


@pytest.fixture(autouse=True)
def generous_vote_limit(settings):
    # Tests share one client IP range and cache; the limit itself is tested with its own rate.
    settings.RATINGS_VOTE_RATE = "10000/m"


class APIReader:
    """A front end's reader: no cookies shared with the site, a voter token kept instead."""

    def __init__(self, ip=None):
        self.client = Client(REMOTE_ADDR=ip or random_ip())
        self.voter_token = None

    def vote(self, page, score, **headers):
        body = {"score": score}
        if self.voter_token:
            body["voter_token"] = self.voter_token
        response = self.client.post(
            f"/api/v3/ratings/{page.pk}/votes/", json.dumps(body), content_type="application/json", **headers
        )
        if response.status_code == 200:
            self.voter_token = response.json()["voter_token"]
        return response

    def summary(self, page, **headers):
        if self.voter_token:
            headers["HTTP_X_VOTER_TOKEN"] = self.voter_token
        return self.client.get(f"/api/v3/ratings/{page.pk}/", **headers)


def test_api_votes_update_the_same_summary_the_article_shows(mesotherapy):
    first, second = APIReader(), APIReader()

    assert first.vote(mesotherapy, 5).status_code == 200
    response = second.vote(mesotherapy, 4)
    # Rating again changes the vote instead of adding one.
    again = first.vote(mesotherapy, 2)

    assert response.json()["text"] == "4.5 out of 5, 2 ratings"
    data = again.json()
    assert (data["count"], data["total"], data["average"], data["your_score"]) == (2, 6, 3.0, 2)
    assert data["text"] == "3.0 out of 5, 2 ratings"
    assert data["message"] == "Thank you: you rated this page 2 stars. Now 3.0 out of 5, 2 ratings."
    # The HTML page and a reader using the widget see exactly that summary and count on it.
    assert summary_text(Reader().widget(mesotherapy)) == "3.0 out of 5, 2 ratings"
    assert Reader().vote(mesotherapy, 1).status_code == 302
    assert APIReader().summary(mesotherapy).json()["text"] == "2.3 out of 5, 3 ratings"
    assert Rating.objects.filter(page=mesotherapy).count() == 3


def test_summary_gives_a_voter_their_own_score_privately(mesotherapy):
    reader = APIReader()
    anonymous = APIReader().summary(mesotherapy)
    assert anonymous.json() == {
        "page_id": mesotherapy.pk,
        "count": 0,
        "total": 0,
        "average": None,
        "best_rating": 5,
        "worst_rating": 1,
        "text": "Not rated yet (0 out of 5)",
        "your_score": None,
    }

    reader.vote(mesotherapy, 4)
    own = reader.summary(mesotherapy)

    assert own.json()["your_score"] == 4
    assert {"private", "no-store"} <= {part.strip() for part in own["Cache-Control"].split(",")}
    assert APIReader().summary(mesotherapy).json()["your_score"] is None


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def test_the_anonymous_summary_varies_on_the_voter_token_so_no_cache_serves_it_to_a_voter(mesotherapy):
    """A browser that cached the anonymous answer must not reuse it for a request with a token."""
    reader = APIReader()
    reader.vote(mesotherapy, 3)

    anonymous = APIReader().summary(mesotherapy)
    own = reader.summary(mesotherapy)

    assert (anonymous.status_code, own.status_code) == (200, 200)
    assert "x-voter-token" in vary(anonymous)
    assert "x-voter-token" in vary(own)
    assert anonymous.json()["your_score"] is None and own.json()["your_score"] == 3
    # Missing token or a forged one: the same public answer (it is the anonymous one).
    forged = APIReader().summary(mesotherapy, HTTP_X_VOTER_TOKEN="forged")
    assert forged.json()["your_score"] is None and "private" in forged["Cache-Control"]


def test_a_forged_or_foreign_voter_token_is_refused_and_changes_nothing(mesotherapy):
    reader = APIReader()
    reader.vote(mesotherapy, 4)
    reader.voter_token = reader.voter_token[:-3] + "abc"

    response = reader.vote(mesotherapy, 1)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["body", "voter_token"]
    assert Rating.objects.get().score == 4


@pytest.mark.parametrize("score", [0, 6, "five", None])
def test_invalid_scores_answer_a_problem_document_and_change_nothing(mesotherapy, score):
    response = APIReader().vote(mesotherapy, score)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "score"]
    assert not Rating.objects.exists()


def test_only_live_public_articles_can_be_rated(mesotherapy, treatment_index, home_page):
    mesotherapy.unpublish()

    for page in (mesotherapy, treatment_index, home_page):
        assert APIReader().vote(page, 3).status_code == 404
        assert APIReader().summary(page).status_code == 404
    assert not Rating.objects.exists()


def test_vote_limit_is_shared_with_the_widget(settings, mesotherapy):
    settings.RATINGS_VOTE_RATE = "3/m"
    ip = random_ip()
    widget_reader, api_reader = Reader(ip=ip), APIReader(ip=ip)

    assert widget_reader.vote(mesotherapy, 5).status_code == 302
    assert api_reader.vote(mesotherapy, 4).status_code == 200
    assert api_reader.vote(mesotherapy, 3).status_code == 200
    refused = api_reader.vote(mesotherapy, 1)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["title"] == "Too many requests"
    assert widget_reader.vote(mesotherapy, 1).status_code == 429
    assert sorted(Rating.objects.values_list("score", flat=True)) == [3, 5]


def test_votes_from_other_sites_are_refused(settings, mesotherapy):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]

    assert APIReader().vote(mesotherapy, 5, HTTP_ORIGIN="https://evil.example").status_code == 403
    allowed = APIReader().vote(mesotherapy, 5, HTTP_ORIGIN=FRONT_END)
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == FRONT_END
    assert Rating.objects.count() == 1


def test_the_token_is_never_the_stored_key_and_the_key_never_leaves(mesotherapy):
    reader = APIReader()
    response = reader.vote(mesotherapy, 4)

    stored_key = Rating.objects.get().voter_key
    assert stored_key not in response.content.decode()
    assert stored_key not in reader.summary(mesotherapy).content.decode()
    assert reader.voter_token != stored_key
    # The stored key is the keyed hash of the identifier inside the token.
    from django.core import signing

    from treatment_pages.api.routers import VOTER_TOKEN_SALT

    assert voter_key_for(signing.loads(reader.voter_token, salt=VOTER_TOKEN_SALT)) == stored_key
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_v2_article_and_listing_carry_each_articles_rating_summary(client, mesotherapy, treatment_index):
    APIReader().vote(mesotherapy, 4)

    detail = client.get(f"/api/v2/pages/{mesotherapy.pk}/").json()
    listing = client.get(
        "/api/v2/pages/", {"type": "treatment_pages.TreatmentPage", "fields": "rating"}
    ).json()

    assert detail["rating"]["text"] == "4.0 out of 5, 1 rating"
    ratings = {item["title"]: item["rating"]["text"] for item in listing["items"]}
    assert ratings == {
        "Mesotherapy": "4.0 out of 5, 1 rating",
        "Chemical peel": "Not rated yet (0 out of 5)",
        "Laser hair removal": "Not rated yet (0 out of 5)",
    }


@pytest.mark.parametrize("forwarded", BAD_FORWARDED_FOR)
def test_vote_api_answers_and_counts_whatever_x_forwarded_for_holds(settings, client, mesotherapy, forwarded):
    settings.RATINGS_VOTE_RATE = "2/m"
    proxy_ip = random_ip()
    settings.TRUSTED_PROXIES = [proxy_ip]

    statuses = [
        client.post(
            f"/api/v3/ratings/{mesotherapy.pk}/votes/",
            json.dumps({"score": 4}),
            content_type="application/json",
            REMOTE_ADDR=proxy_ip,
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert Rating.objects.filter(page=mesotherapy).count() == 2


def test_a_cache_outage_lets_votes_through(settings, client, mesotherapy, monkeypatch, caplog):
    def cache_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis")

    class UnreachableCache:
        add = incr = set = staticmethod(cache_down)

    monkeypatch.setattr("treatment_pages.ratings.votes.get_usage", cache_down)
    monkeypatch.setattr("treatment_pages.ratings.votes.cache", UnreachableCache())

    response = client.post(
        f"/api/v3/ratings/{mesotherapy.pk}/votes/",
        json.dumps({"score": 4}),
        content_type="application/json",
        REMOTE_ADDR=random_ip(),
    )

    assert response.status_code == 200
    assert "Vote rate limit check failed (ConnectionError); vote allowed" in caplog.text
    assert "New-voter limit check failed (ConnectionError); vote allowed" in caplog.text
