"""Votes racing each other on PostgreSQL: real threads, each with its own connection."""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.test import Client

from tests.treatment_pages.ratings_support import random_ip, vote_url
from treatment_pages.models import Rating, RatingSummary
from treatment_pages.ratings.voters import VOTER_COOKIE_NAME, set_voter_cookie, voter_key_for
from treatment_pages.ratings.votes import cast_vote

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


@pytest.fixture(autouse=True)
def no_vote_limit(settings):
    settings.RATINGS_VOTE_RATE = "100000/m"


def run_threads(count, work):
    """Run ``work(index)`` in ``count`` threads released together; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def target(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(repr(exc))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a voting thread hung (deadlock?)"
    return results, errors


def voter_cookie(identifier):
    response = HttpResponse()
    set_voter_cookie(response, identifier)
    return response.cookies[VOTER_COOKIE_NAME].value


def summary_and_aggregate(page):
    summary = RatingSummary.objects.get(page_id=page.pk)
    rows = Rating.objects.filter(page_id=page.pk).aggregate(count=Count("pk"), total=Sum("score"))
    return (summary.count, summary.total), (rows["count"], rows["total"] or 0)


@pytest.mark.parametrize("already_voted", [False, True], ids=["first-vote", "re-vote"])
def test_one_reader_voting_sixteen_times_at_once_leaves_one_row(mesotherapy, already_voted):
    cookie = voter_cookie("the-same-reader")
    if already_voted:
        cast_vote(mesotherapy, voter_key_for("the-same-reader"), 2)
    scores = [index % 5 + 1 for index in range(THREADS)]

    def vote(index):
        client = Client(REMOTE_ADDR=random_ip())
        client.cookies[VOTER_COOKIE_NAME] = cookie
        response = client.post(
            vote_url(mesotherapy), {"score": scores[index]}, HTTP_ACCEPT="application/json"
        )
        return response.status_code

    statuses, errors = run_threads(THREADS, vote)

    assert errors == []
    assert statuses == [200] * THREADS
    rating = Rating.objects.get(page=mesotherapy)
    assert rating.voter_key == voter_key_for("the-same-reader")
    summary, rows = summary_and_aggregate(mesotherapy)
    assert summary == rows == (1, rating.score)


@pytest.mark.slow
def test_four_hundred_readers_voting_at_once_are_all_counted(mesotherapy):
    per_thread = 25
    scores = [[random.randint(1, 5) for _ in range(per_thread)] for _ in range(THREADS)]

    def votes(index):
        statuses = []
        for score in scores[index]:
            client = Client(REMOTE_ADDR=random_ip())  # a new reader each time: no voter cookie
            response = client.post(vote_url(mesotherapy), {"score": score}, HTTP_ACCEPT="application/json")
            statuses.append(response.status_code)
        return statuses

    statuses, errors = run_threads(THREADS, votes)

    assert errors == []
    assert [status for batch in statuses for status in batch] == [200] * (THREADS * per_thread)
    expected_total = sum(sum(batch) for batch in scores)
    summary, rows = summary_and_aggregate(mesotherapy)
    assert summary == (400, expected_total)
    assert rows == summary


def test_deletions_racing_re_votes_keep_the_summary_exact(mesotherapy):
    readers = [f"reader-{index}" for index in range(THREADS)]
    for reader in readers:
        cast_vote(mesotherapy, voter_key_for(reader), 3)
    doomed = list(Rating.objects.order_by("pk").values_list("pk", flat=True)[: THREADS // 2])

    def act(index):
        if index % 4 == 0:
            # An editor's bulk delete (queryset delete, as Wagtail's bulk action does).
            return Rating.objects.filter(pk__in=doomed[index // 4 :: 4]).delete()[0]
        for score in (5, 1, 4):
            cast_vote(mesotherapy, voter_key_for(readers[index]), score)
        return None

    _, errors = run_threads(THREADS, act)

    assert errors == []
    summary, rows = summary_and_aggregate(mesotherapy)
    assert summary == rows
