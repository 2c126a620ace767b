import json
import re

import pytest
from bs4 import BeautifulSoup
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse

from tests.factories import TreatmentPageFactory
from tests.treatment_pages.ratings_support import (
    Reader,
    checked_score,
    summary_text,
    visible_prompt,
    vote_url,
)
from treatment_pages.models import Rating, RatingSummary
from treatment_pages.ratings.voters import VOTER_COOKIE_NAME, voter_key_for
from treatment_pages.ratings.votes import cast_vote, get_rating_summary
from treatment_pages.signals import rating_summary_changed

INVALID_MESSAGE = "Choose a rating from 1 to 5 stars."


@pytest.fixture(autouse=True)
def generous_vote_limit(settings):
    # Tests share one client IP range and cache; the limit itself is tested with its own rate.
    settings.RATINGS_VOTE_RATE = "10000/m"


def stored_summary(page):
    summary = RatingSummary.objects.filter(page_id=page.pk).first()
    return (summary.count, summary.total) if summary else (0, 0)


def aggregate(page):
    result = Rating.objects.filter(page_id=page.pk).aggregate(count=Count("pk"), total=Sum("score"))
    return result["count"], result["total"] or 0


def test_unrated_article_and_index_card_show_the_empty_state(mesotherapy, treatment_index):
    reader = Reader()

    widget = reader.widget(mesotherapy)

    assert summary_text(widget) == "Not rated yet (0 out of 5)"
    assert visible_prompt(widget) == "Be the first to rate this page"
    assert checked_score(widget) is None
    card = reader.open(treatment_index.url).find("a", string="Mesotherapy").find_parent("li")
    # The index says so in words only: no row of empty stars, no "(0 out of 5)".
    assert card.select_one(".rating-summary").get_text(strip=True) == "Not rated yet"
    assert card.select(".rating-summary__star") == []


def test_three_readers_then_one_changes_their_mind(mesotherapy, treatment_index):
    first, second, third = Reader(), Reader(), Reader()

    for reader, score in ((first, 5), (second, 4), (third, 3)):
        response = reader.vote(mesotherapy, score)
        # Without JavaScript: back to the article's rating, on this site.
        assert response.status_code == 302
        assert response["Location"] == "/treatments/mesotherapy/#rating"

    widget = Reader().widget(mesotherapy)
    assert summary_text(widget) == "4.0 out of 5, 3 ratings"
    assert visible_prompt(widget) is None
    card = Reader().open(treatment_index.url).find("a", string="Mesotherapy").find_parent("li")
    assert summary_text(card) == "4.0 out of 5, 3 ratings"

    first.vote(mesotherapy, 1)

    assert summary_text(Reader().widget(mesotherapy)) == "2.7 out of 5, 3 ratings"
    assert Rating.objects.filter(page=mesotherapy).count() == 3
    assert stored_summary(mesotherapy) == aggregate(mesotherapy) == (3, 8)
    # Each reader gets their own current score from the state endpoint (the page is shared).
    assert first.state(mesotherapy)["your_score"] == 1
    assert second.state(mesotherapy)["your_score"] == 4
    assert Reader().state(mesotherapy)["your_score"] is None
    assert checked_score(second.widget(mesotherapy)) is None


def test_one_rating_is_singular(mesotherapy):
    Reader().vote(mesotherapy, 4)

    assert summary_text(Reader().widget(mesotherapy)) == "4.0 out of 5, 1 rating"


@pytest.mark.parametrize("score", ["0", "6", "-1", "32767", "abc", "4.5", "", None])
@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_invalid_score_answers_400_and_changes_nothing(mesotherapy, score, as_json):
    earlier = Reader()
    earlier.vote(mesotherapy, 5)
    before = list(Rating.objects.values_list("pk", "score", "updated"))

    reader = Reader()
    response = reader.vote(mesotherapy, score, json=as_json)

    assert response.status_code == 400
    if as_json:
        assert response.json() == {"error": INVALID_MESSAGE}
    else:
        page = BeautifulSoup(response.content, "html.parser")
        assert page.select_one(".rating-error").get_text(strip=True) == INVALID_MESSAGE
        assert page.find("a", string=re.compile("Back to"))["href"] == "/treatments/mesotherapy/#rating"
    assert list(Rating.objects.values_list("pk", "score", "updated")) == before
    assert stored_summary(mesotherapy) == (1, 5)
    assert VOTER_COOKIE_NAME not in response.cookies
    # An invalid re-vote leaves the earlier vote alone too.
    assert earlier.vote(mesotherapy, score).status_code == 400
    assert list(Rating.objects.values_list("pk", "score", "updated")) == before


@pytest.mark.parametrize("score", [0, 6, -1])
def test_database_refuses_scores_outside_1_to_5(mesotherapy, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(page=mesotherapy, voter_key=voter_key_for("someone"), score=score)


def test_database_refuses_a_second_row_for_the_same_voter(mesotherapy):
    Rating.objects.create(page=mesotherapy, voter_key=voter_key_for("someone"), score=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(page=mesotherapy, voter_key=voter_key_for("someone"), score=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(page=mesotherapy, voter_key="", score=4)


def test_database_refuses_an_impossible_summary(mesotherapy):
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingSummary.objects.create(page=mesotherapy, count=2, total=11)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example",
        "//evil.example/treatments/",
        "/\\evil.example",
        "https:///evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_redirect_after_a_form_vote_never_leaves_the_site(mesotherapy, next_url):
    response = Reader().vote(mesotherapy, 4, next=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/treatments/mesotherapy/#rating"


def test_redirect_may_go_back_to_another_page_of_this_site(mesotherapy):
    response = Reader().vote(mesotherapy, 4, next="/treatments/")

    assert response["Location"] == "/treatments/#rating"


def test_vote_from_another_sites_page_is_refused(mesotherapy):
    reader = Reader()
    reader.open(mesotherapy.url)

    response = reader.vote(
        mesotherapy, 4, HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site"
    )

    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_votes_for_drafts_private_or_missing_pages_are_refused(mesotherapy, home_page, treatment_index):
    reader = Reader()
    same_site = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}
    draft = TreatmentPageFactory(parent=treatment_index, live=False)
    private = TreatmentPageFactory(parent=treatment_index)
    private.view_restrictions.create(restriction_type="password", password="secret")

    for page_id in (draft.pk, private.pk, home_page.pk, 987654):
        url = reverse("treatment_pages:rating_vote", args=[page_id])
        assert reader.client.post(url, {"score": "4"}, **same_site).status_code == 404
        response = reader.client.post(url, {"score": "4"}, HTTP_ACCEPT="application/json", **same_site)
        assert response.status_code == 404
        assert response.json() == {"error": "This page cannot be rated."}
    mesotherapy.unpublish()
    assert reader.client.post(vote_url(mesotherapy), {"score": "4"}, **same_site).status_code == 404
    assert not Rating.objects.exists()
    assert not RatingSummary.objects.exists()


def test_votes_beyond_the_rate_limit_answer_429_and_change_nothing(settings, mesotherapy):
    settings.RATINGS_VOTE_RATE = "3/m"
    same_network = Reader()
    neighbour = Reader(ip=same_network.ip)

    for score in (5, 4, 3):
        assert same_network.vote(mesotherapy, score).status_code == 302
    response = neighbour.vote(mesotherapy, 1)
    json_response = neighbour.vote(mesotherapy, 1, json=True)

    assert response.status_code == 429
    assert "Too many ratings from your network" in response.content.decode()
    assert int(response["Retry-After"]) >= 1
    assert json_response.status_code == 429
    assert "Too many ratings" in json_response.json()["error"]
    assert stored_summary(mesotherapy) == (1, 3)
    # Another address is not held back by this one.
    assert Reader().vote(mesotherapy, 2).status_code == 302


def test_rate_limit_counts_the_client_ip_behind_a_trusted_proxy(settings, mesotherapy):
    settings.RATINGS_VOTE_RATE = "2/m"
    settings.TRUSTED_PROXIES = ["192.0.2.10/32"]
    proxy = Reader(ip="192.0.2.10")  # every request arrives from the load balancer
    client_ip = Reader().ip

    statuses = [proxy.vote(mesotherapy, 4, HTTP_X_FORWARDED_FOR=client_ip).status_code for _ in range(3)]
    other_client = proxy.vote(mesotherapy, 4, HTTP_X_FORWARDED_FOR=Reader().ip)

    assert statuses == [302, 302, 429]
    assert other_client.status_code == 302


def test_json_vote_returns_the_summary_and_remembers_the_reader(mesotherapy):
    reader = Reader()

    response = reader.vote(mesotherapy, 4, json=True)

    assert response.status_code == 200
    data = response.json()
    assert data["text"] == "4.0 out of 5, 1 rating"
    assert data["count"] == 1 and data["average"] == 4.0 and data["your_score"] == 4
    assert data["message"] == "Thank you: you rated this page 4 stars."
    cookie = response.cookies[VOTER_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "no-store" in response["Cache-Control"]

    again = reader.vote(mesotherapy, 2, json=True).json()

    assert again["text"] == "2.0 out of 5, 1 rating"
    assert Rating.objects.get().score == 2


def test_state_endpoint_gives_each_reader_their_own_score(mesotherapy):
    voter, newcomer = Reader(), Reader()
    voter.vote(mesotherapy, 5)
    url = reverse("treatment_pages:rating_state", args=[mesotherapy.pk])

    mine = voter.client.get(url)
    theirs = newcomer.client.get(url)

    assert mine.json()["your_score"] == 5
    assert theirs.json()["your_score"] is None
    assert theirs.json()["text"] == "5.0 out of 5, 1 rating"
    assert "csrf_token" not in theirs.json()
    assert not theirs.cookies  # nothing personal is handed out to a reader who has not voted
    assert "private" in mine["Cache-Control"] and "no-store" in mine["Cache-Control"]
    assert newcomer.client.get(reverse("treatment_pages:rating_state", args=[987654])).status_code == 404


def test_the_stored_key_is_a_keyed_hash_of_the_cookie_never_the_ip(mesotherapy):
    reader = Reader(ip="203.0.113.77")

    response = reader.vote(mesotherapy, 3)

    rating = Rating.objects.get()
    # Django's signed cookie value is "<identifier>:<signature>".
    signed = response.cookies[VOTER_COOKIE_NAME].value
    assert re.fullmatch(r"[0-9a-f]{64}", rating.voter_key)
    stored_values = " ".join(str(value) for value in Rating.objects.values().get().values())
    assert "203.0.113.77" not in stored_values
    assert signed.split(":")[0] not in stored_values
    assert rating.voter_key == voter_key_for(signed.split(":")[0])


def test_a_forged_voter_cookie_counts_as_a_new_reader(mesotherapy):
    reader = Reader()
    reader.vote(mesotherapy, 5)
    forger = Reader()
    forger.client.cookies[VOTER_COOKIE_NAME] = reader.client.cookies[VOTER_COOKIE_NAME].value[:-2] + "xx"

    forger.vote(mesotherapy, 1)

    assert stored_summary(mesotherapy) == (2, 6)
    assert Rating.objects.get(score=5)


def test_summary_changes_are_signalled_after_commit(mesotherapy, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, page_id, **kwargs):
        received.append((sender, page_id))

    rating_summary_changed.connect(listener)
    try:
        key = voter_key_for("reader")
        with django_capture_on_commit_callbacks(execute=True):
            cast_vote(mesotherapy, key, 4)
        with django_capture_on_commit_callbacks(execute=True):
            cast_vote(mesotherapy, key, 2)
        with django_capture_on_commit_callbacks(execute=True) as unchanged:
            cast_vote(mesotherapy, key, 2)
        with django_capture_on_commit_callbacks(execute=True):
            Rating.objects.get().delete()
    finally:
        rating_summary_changed.disconnect(listener)

    assert received == [(Rating, mesotherapy.pk)] * 3
    assert unchanged == []


def test_cast_vote_validates_scores_for_every_caller(mesotherapy):
    from django.core.exceptions import ValidationError

    for score in (0, 6, "4", 4.0, True, None):
        with pytest.raises(ValidationError):
            cast_vote(mesotherapy, voter_key_for("api-reader"), score)
    summary = cast_vote(mesotherapy.pk, voter_key_for("api-reader"), 5)
    assert (summary.count, summary.total, summary.text) == (1, 5, "5.0 out of 5, 1 rating")
    assert get_rating_summary(mesotherapy).as_dict()["average"] == 5.0


def test_structured_data_has_aggregate_rating_once_rated(client, settings, mesotherapy):
    settings.TREATMENT_PAGES_JSON_LD_AGGREGATE_RATING = True  # off by default (README)

    def json_ld():
        soup = BeautifulSoup(client.get(mesotherapy.url).content, "html.parser")
        return json.loads(soup.find("script", type="application/ld+json").string)

    assert "aggregateRating" not in json_ld()

    for score in (5, 4, 4):
        Reader().vote(mesotherapy, score)

    assert json_ld()["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 4.3,
        "ratingCount": 3,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_index_fetches_all_summaries_in_one_query(treatment_index):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def index_queries():
        Reader().client.get(treatment_index.url)  # warms per-site caches that page creation clears
        with CaptureQueriesContext(connection) as captured:
            assert Reader().client.get(treatment_index.url).status_code == 200
        return [query["sql"] for query in captured]

    for article in treatment_index.get_children():
        cast_vote(article, voter_key_for("reader"), 4)
    with_three = index_queries()
    for _ in range(4):
        cast_vote(TreatmentPageFactory(parent=treatment_index), voter_key_for("reader"), 2)
    with_seven = index_queries()

    assert len(with_seven) == len(with_three)
    assert sum("treatment_pages_ratingsummary" in sql for sql in with_seven) == 1


def test_a_reader_with_a_vote_gets_the_same_page_as_everyone(mesotherapy):
    newcomer, voter = Reader(), Reader()
    voter.vote(mesotherapy, 4)

    public = newcomer.client.get(mesotherapy.url)
    theirs = voter.client.get(mesotherapy.url)

    assert public.content == theirs.content
    assert "private" not in theirs.get("Cache-Control", "")
    assert not public.cookies and not theirs.cookies


def test_deleting_an_article_removes_its_ratings_and_summary(mesotherapy):
    Reader().vote(mesotherapy, 4)

    mesotherapy.delete()

    assert not Rating.objects.exists()
    assert not RatingSummary.objects.exists()
