"""Pages any shared cache (CDN, Varnish) can hold, and the purges that keep them fresh."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.cms_site.conftest import purged_paths
from tests.factories import UserFactory
from tests.treatment_pages.ratings_support import Reader, random_ip
from treatment_pages.models import ClinicContactSettings
from treatment_pages.ratings.voters import VOTER_COOKIE_NAME

pytestmark = pytest.mark.django_db


def test_two_anonymous_readers_get_the_same_bytes_and_no_cookie(shared_caching, mesotherapy):
    voter = Reader()
    assert voter.vote(mesotherapy, 4).status_code == 302
    assert VOTER_COOKIE_NAME in voter.client.cookies
    voter.client.cookies["csrftoken"] = "a" * 32  # a CSRF cookie from some other page
    newcomer = Client()

    first = newcomer.get(mesotherapy.url)
    second = voter.client.get(mesotherapy.url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    assert b"4.0 out of 5, 1 rating" in first.content
    assert b"csrfmiddlewaretoken" not in first.content
    # The widget carries its message's translation for the script (a data attribute, the same
    # for everyone); the voter's own rating is never in the shared page.
    assert b"You rated this page 4" not in first.content and b"your_score" not in first.content
    assert not first.cookies and not second.cookies
    assert "Set-Cookie" not in first and "Set-Cookie" not in second
    for response in (first, second):
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "s-maxage=600" in cache_control
        assert "stale-while-revalidate=" in cache_control
        assert response["Surrogate-Key"] == f"page-{mesotherapy.pk}"
        assert response["Cache-Tag"] == f"page-{mesotherapy.pk}"
        assert "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize("fixture", ["home_page", "treatment_index", "mesotherapy"])
def test_home_index_and_articles_are_shared_cacheable(client, request, shared_caching, demo_site, fixture):
    page = request.getfixturevalue(fixture)

    response = client.get(page.url)

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    assert f"page-{page.pk}" in response["Surrogate-Key"]
    assert not response.cookies


def test_the_voter_sees_their_own_score_from_the_uncached_state_endpoint(shared_caching, mesotherapy):
    voter = Reader()
    voter.vote(mesotherapy, 5)

    state = voter.client.get(reverse("treatment_pages:rating_state", args=[mesotherapy.pk]))

    assert state.status_code == 200
    assert state.json()["your_score"] == 5
    assert "private" in state["Cache-Control"] and "no-store" in state["Cache-Control"]


def test_an_editor_gets_a_private_copy(client, shared_caching, mesotherapy):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get(mesotherapy.url)

    assert response.status_code == 200
    assert "wagtail-userbar" in response.content.decode()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "Surrogate-Key" not in response


def test_an_article_embedding_the_appointment_form_opts_out(client, shared_caching, article_with_form):
    response = client.get(article_with_form.url)

    assert response.status_code == 200
    assert 'name="form-token"' in response.content.decode()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_no_shared_cache_headers_when_switched_off(client, settings, mesotherapy):
    settings.PAGE_CACHE_SECONDS = 0

    response = client.get(mesotherapy.url)

    assert "public" not in response.get("Cache-Control", "")


# The no-JavaScript vote, without a token in the page


def test_a_vote_from_the_sites_own_page_is_accepted_without_a_csrf_token(mesotherapy):
    # An address of its own: the per-network limits count in a Redis that outlives test runs.
    reader = Client(enforce_csrf_checks=True, REMOTE_ADDR=random_ip())
    url = reverse("treatment_pages:rating_vote", args=[mesotherapy.pk])

    response = reader.post(
        url, {"score": "4"}, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin"
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://blog.testserver"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "null"},
    ],
    ids=["fetch-metadata", "origin-only", "sibling-subdomain", "no-origin", "opaque-origin"],
)
def test_a_vote_posted_from_another_site_is_refused(mesotherapy, headers):
    from treatment_pages.models import Rating

    url = reverse("treatment_pages:rating_vote", args=[mesotherapy.pk])

    response = Client().post(url, {"score": "5"}, **headers)
    as_json = Client().post(url, {"score": "5"}, HTTP_ACCEPT="application/json", **headers)

    assert response.status_code == 403
    assert "only accepted from this site" in response.content.decode()
    assert as_json.status_code == 403
    assert "only accepted from this site" in as_json.json()["error"]
    assert not Rating.objects.exists()


# Purges through wagtail.contrib.frontend_cache


def test_publishing_purges_the_article_the_index_and_the_api_urls(
    purge_recorder, mesotherapy, treatment_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.intro = "Changed."
        mesotherapy.save_revision().publish()

    paths = purged_paths(purge_recorder)
    assert {
        mesotherapy.url,
        treatment_index.url,
        f"/api/v2/pages/{mesotherapy.pk}/",
        f"/api/v3/ratings/{mesotherapy.pk}/",
    } <= paths
    hosts = {host for _method, host, _path in purge_recorder.received}
    assert hosts == {mesotherapy.get_site().hostname}


def test_a_vote_purges_only_what_shows_the_vote(
    settings, purge_recorder, home_page, mesotherapy, treatment_index, django_capture_on_commit_callbacks
):
    settings.TREATMENT_PAGES_RATING_PURGE_SECONDS = 0  # every vote at once (no deferred batch)
    with django_capture_on_commit_callbacks(execute=True):
        assert Reader().vote(mesotherapy, 3).status_code == 302

    assert purged_paths(purge_recorder) == {
        mesotherapy.url,
        treatment_index.url,  # its card shows the summary
        f"/api/v2/pages/{mesotherapy.pk}/",
        "/api/v2/pages/",
        f"/api/v3/ratings/{mesotherapy.pk}/",
        "/api/v3/treatments/",
    }
    # Not the home page (no ratings there), nor the other articles.
    assert home_page.url not in purged_paths(purge_recorder)


def test_votes_on_an_article_are_batched(
    settings, purge_recorder, mesotherapy, treatment_index, django_capture_on_commit_callbacks
):
    from django.core.cache import cache
    from django_tasks import default_task_backend

    from treatment_pages.caching.purging import RATING_PURGE_PENDING_KEY, RATING_PURGED_KEY

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.TREATMENT_PAGES_RATING_PURGE_SECONDS = 10
    cache.delete_many(
        [RATING_PURGED_KEY.format(mesotherapy.pk), RATING_PURGE_PENDING_KEY.format(mesotherapy.pk)]
    )
    default_task_backend.clear()

    def purges_enqueued():
        return [result for result in default_task_backend.results if "purge" in result.task.name]

    # The first vote: purged at once (enqueued without delay), so a lone vote shows at once.
    with django_capture_on_commit_callbacks(execute=True):
        assert Reader().vote(mesotherapy, 3).status_code == 302
    first = purges_enqueued()
    assert len(first) == 1 and first[0].task.run_after is None
    assert {mesotherapy.full_url, treatment_index.full_url} <= set(first[0].args[0])

    # Four more within the window: one purge between them, after the window.
    for score in (4, 5, 2, 1):
        with django_capture_on_commit_callbacks(execute=True):
            assert Reader().vote(mesotherapy, score).status_code == 302

    purges = purges_enqueued()
    assert len(purges) == 2, "five votes, two purges"
    assert purges[1].task.run_after is not None  # after the batch's votes committed
    assert set(purges[1].args[0]) == set(first[0].args[0])


def test_nothing_is_purged_before_the_transaction_commits(
    purge_recorder, mesotherapy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mesotherapy.save_revision().publish()

    assert purge_recorder.received == []
    for callback in callbacks:
        callback()
    assert mesotherapy.url in purged_paths(purge_recorder)


def test_saving_clinic_settings_purges_every_page(
    purge_recorder, demo_site, django_capture_on_commit_callbacks
):
    from wagtail.models import Page

    with django_capture_on_commit_callbacks(execute=True):
        contact = ClinicContactSettings.for_site(demo_site)
        contact.phone = "+1 (217) 555-0199"
        contact.save()

    live_urls = {page.url for page in Page.objects.live().filter(depth__gt=1).specific()}
    assert live_urls <= purged_paths(purge_recorder)


def test_unpublishing_and_deleting_purge_the_page_and_its_index(
    purge_recorder, mesotherapy, treatment_index, django_capture_on_commit_callbacks
):
    url = mesotherapy.url
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.unpublish()
    assert {url, treatment_index.url} <= purged_paths(purge_recorder)

    purge_recorder.received.clear()
    other = treatment_index.get_children().live().exclude(pk=mesotherapy.pk).first()
    other_url = other.url
    with django_capture_on_commit_callbacks(execute=True):
        other.delete()
    assert {other_url, treatment_index.url} <= purged_paths(purge_recorder)


def test_moving_purges_the_old_and_new_addresses(
    purge_recorder, home_page, mesotherapy, treatment_index, django_capture_on_commit_callbacks
):
    from treatment_pages.models import TreatmentIndexPage

    second = home_page.add_child(instance=TreatmentIndexPage(title="Other treatments", slug="other"))
    purge_recorder.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.move(second, pos="last-child")

    assert {"/treatments/mesotherapy/", "/other/mesotherapy/", treatment_index.url} <= purged_paths(
        purge_recorder
    )


def test_a_failing_cache_never_fails_the_editors_publish(
    settings, shared_caching, mesotherapy, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",  # nothing listens on the discard port
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.title = "Mesotherapy, revised"
        mesotherapy.save_revision().publish()

    mesotherapy.refresh_from_db()
    assert mesotherapy.title == "Mesotherapy, revised"


# Varnish's question about a session cookie (cms_site.shared_cache.SessionCheckMiddleware)


def test_a_made_up_session_cookie_is_answered_without_a_render(client, shared_caching, mesotherapy):
    from unittest import mock

    from treatment_pages.models import TreatmentPage

    client.cookies["sessionid"] = "made-up"
    with mock.patch.object(TreatmentPage, "serve", autospec=True, side_effect=TreatmentPage.serve) as serve:
        response = client.get(mesotherapy.url, HTTP_X_SESSION_CHECK="1")

    assert response.status_code == 204
    assert response["X-Session"] == "none"
    assert "no-store" in response["Cache-Control"]
    assert serve.call_count == 0


def test_a_real_session_or_no_question_gets_the_page(client, shared_caching, mesotherapy):
    client.cookies["sessionid"] = "made-up"
    unasked = client.get(mesotherapy.url)
    assert unasked.status_code == 200  # without Varnish in front, the page as ever

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    signed_in = client.get(mesotherapy.url, HTTP_X_SESSION_CHECK="1")
    assert signed_in.status_code == 200
    assert "wagtail-userbar" in signed_in.content.decode()
