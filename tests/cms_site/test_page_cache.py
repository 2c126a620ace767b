"""The page cache: anonymous readers get stored pages, and never a stale or private one."""

from unittest import mock

import pytest
from wagtail import hooks
from wagtail.models import PageViewRestriction

from cms_site import page_cache
from tests.factories import UserFactory
from tests.treatment_pages.ratings_support import Reader
from treatment_pages.models import ClinicContactSettings, TreatmentIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """The production default; the test settings switch the cache off for other suites."""
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a change does after its transaction commits (the purges), as in production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def get_twice(client, url, **extra):
    first = client.get(url, **extra)
    second = client.get(url, **extra)
    return first, second


def test_second_anonymous_read_is_a_hit_served_without_queries(
    client, mesotherapy, django_assert_num_queries
):
    first = client.get(mesotherapy.url)
    assert first.status_code == 200
    assert first["X-Cache"] == "MISS"

    with django_assert_num_queries(0):
        second = client.get(mesotherapy.url)

    assert second.status_code == 200
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The stored copy keeps the headers the page was rendered with.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert second["Cache-Control"] == first["Cache-Control"]
    # ...and each answer still gets its own request id.
    assert second["X-Request-ID"] != first["X-Request-ID"]


@pytest.mark.parametrize("fixture", ["home_page", "treatment_index", "mesotherapy"])
def test_home_index_and_article_pages_are_cached(client, request, demo_site, fixture):
    page = request.getfixturevalue(fixture)

    first, second = get_twice(client, page.url)

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")


def test_head_request_is_answered_from_the_cache(client, mesotherapy):
    client.get(mesotherapy.url)

    response = client.head(mesotherapy.url)

    assert response["X-Cache"] == "HIT"


def test_tracking_parameters_share_the_cached_page_other_parameters_bypass_it(client, mesotherapy):
    client.get(mesotherapy.url)

    assert client.get(mesotherapy.url + "?utm_source=newsletter&fbclid=x")["X-Cache"] == "HIT"
    assert client.get(mesotherapy.url + "?page=2")["X-Cache"] == "BYPASS"
    assert client.get(mesotherapy.url + "?page=2")["X-Cache"] == "BYPASS"


def test_hosts_are_cached_separately(client, mesotherapy, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    client.get(mesotherapy.url)

    assert client.get(mesotherapy.url, HTTP_HOST="localhost")["X-Cache"] == "MISS"


def test_counters_record_hits_misses_and_stores(client, mesotherapy):
    before = page_cache.stats.copy()

    get_twice(client, mesotherapy.url)

    assert page_cache.stats["miss"] - before["miss"] == 1
    assert page_cache.stats["store"] - before["store"] == 1
    assert page_cache.stats["hit"] - before["hit"] == 1


# Invalidation


def test_publishing_a_change_replaces_the_cached_page(committed, client, mesotherapy, treatment_index):
    client.get(mesotherapy.url)
    client.get(treatment_index.url)

    with committed():
        mesotherapy.intro = "A brand new introduction to mesotherapy."
        mesotherapy.save_revision().publish()

    response = client.get(mesotherapy.url)
    assert response["X-Cache"] == "MISS"
    assert "A brand new introduction to mesotherapy." in response.content.decode()
    # The index lists the article's intro too.
    assert "A brand new introduction to mesotherapy." in client.get(treatment_index.url).content.decode()


def test_unpublishing_removes_the_page_for_readers(committed, client, mesotherapy, treatment_index):
    get_twice(client, mesotherapy.url)
    client.get(treatment_index.url)

    with committed():
        mesotherapy.unpublish()

    assert client.get(mesotherapy.url).status_code == 404
    assert "Mesotherapy" not in client.get(treatment_index.url).content.decode()


def test_moving_a_page_invalidates_its_old_address_and_listings(
    committed, client, home_page, mesotherapy, treatment_index
):
    second_index = home_page.add_child(instance=TreatmentIndexPage(title="Other treatments", slug="other"))
    old_url = mesotherapy.url
    get_twice(client, old_url)
    client.get(treatment_index.url)

    with committed():
        mesotherapy.move(second_index, pos="last-child")

    # Not the cached article any more: Wagtail's automatic redirect to the new address.
    moved = client.get(old_url)
    assert moved.status_code == 301
    assert moved["Location"] == "/other/mesotherapy/"
    assert "Mesotherapy" not in client.get(treatment_index.url).content.decode()
    assert client.get("/other/mesotherapy/").status_code == 200


def test_deleting_a_page_invalidates_it(committed, client, mesotherapy, treatment_index):
    url = mesotherapy.url
    get_twice(client, url)
    client.get(treatment_index.url)

    with committed():
        mesotherapy.delete()

    assert client.get(url).status_code == 404
    assert "Mesotherapy" not in client.get(treatment_index.url).content.decode()


def test_changing_site_settings_updates_every_cached_footer(
    committed, client, demo_site, mesotherapy, home_page
):
    get_twice(client, mesotherapy.url)
    get_twice(client, home_page.url)

    with committed():
        contact = ClinicContactSettings.for_site(demo_site)
        contact.phone = "+1 (217) 555-0199"
        contact.save()

    for url in (mesotherapy.url, home_page.url):
        response = client.get(url)
        assert response["X-Cache"] == "MISS"
        assert "+1 (217) 555-0199" in response.content.decode()


def test_a_page_rendered_before_a_purge_is_not_served_after_it(client, mesotherapy):
    """The version is read before rendering: a copy stored by a request that rendered
    the old content while the purge landed is never served."""
    from django.test import RequestFactory

    middleware = page_cache.PageCacheMiddleware(lambda request: slow_render(request))

    def slow_render(request):
        response = client.get(mesotherapy.url)  # renders (MISS) and stores
        page_cache.purge_paths([mesotherapy.url])  # a publish commits meanwhile
        return response

    middleware(RequestFactory().get(mesotherapy.url))

    assert client.get(mesotherapy.url)["X-Cache"] == "MISS"


# Never cached


def test_logged_in_readers_are_never_answered_from_or_stored_in_the_cache(client, mesotherapy):
    client.get(mesotherapy.url)  # an anonymous copy is stored
    editor = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(editor)

    response = client.get(mesotherapy.url)

    assert "X-Cache" not in response
    # The editor sees Wagtail's user bar, which anonymous readers never get.
    assert "wagtail-userbar" in response.content.decode()
    client.logout()
    anonymous = client.get(mesotherapy.url)
    assert anonymous["X-Cache"] == "HIT"
    assert "wagtail-userbar" not in anonymous.content.decode()


def test_requests_with_credentials_skip_the_cache(client, mesotherapy):
    client.get(mesotherapy.url)

    assert "X-Cache" not in client.get(mesotherapy.url, HTTP_AUTHORIZATION="Bearer abc")
    client.cookies["sessionid"] = "whatever"
    assert "X-Cache" not in client.get(mesotherapy.url)


def test_post_requests_are_never_cached_or_answered_from_the_cache(client, mesotherapy):
    client.get(mesotherapy.url)

    response = client.post(mesotherapy.url, {"comment": "hello"})

    assert "X-Cache" not in response


def test_a_response_that_sets_a_cookie_is_not_stored(client, mesotherapy):
    def set_cookie(next_serve_page):
        def serve(page, request, args, kwargs):
            response = next_serve_page(page, request, args, kwargs)
            response.set_cookie("personal", "for-this-reader-only")
            return response

        return serve

    with hooks.register_temporarily("on_serve_page", set_cookie):
        first, second = get_twice(client, mesotherapy.url)

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "MISS")
    assert "personal" in second.cookies


def test_a_page_using_a_csp_nonce_is_not_stored(client, mesotherapy):
    def use_nonce(next_serve_page):
        def serve(page, request, args, kwargs):
            str(request.csp_nonce)
            return next_serve_page(page, request, args, kwargs)

        return serve

    with hooks.register_temporarily("on_serve_page", use_nonce):
        first, second = get_twice(client, mesotherapy.url)

    assert "'nonce-" in first["Content-Security-Policy"]
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "MISS")


def test_error_responses_are_not_stored(client, demo_site):
    first, second = get_twice(client, "/treatments/no-such-treatment/")

    assert first.status_code == 404
    assert second["X-Cache"] == "MISS"


def test_a_response_the_app_marked_private_is_not_stored(client, mesotherapy):
    def make_private(next_serve_page):
        def serve(page, request, args, kwargs):
            response = next_serve_page(page, request, args, kwargs)
            response["Cache-Control"] = "private"
            return response

        return serve

    with hooks.register_temporarily("on_serve_page", make_private):
        first, second = get_twice(client, mesotherapy.url)

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "MISS")


def test_password_protected_pages_are_not_stored(client, mesotherapy):
    PageViewRestriction.objects.create(
        page=mesotherapy, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )

    first, second = get_twice(client, mesotherapy.url)

    assert "password" in second.content.decode().lower()
    assert second["X-Cache"] == "MISS"


def test_previews_never_reach_the_readers(client, mesotherapy):
    """An editor previewing a draft does not put the draft in front of readers."""
    editor = UserFactory(is_superuser=True, is_staff=True)
    editor_client = type(client)()
    editor_client.force_login(editor)
    mesotherapy.intro = "Draft intro nobody may read yet."
    mesotherapy.save_revision()

    preview = editor_client.get(f"/admin/pages/{mesotherapy.pk}/view_draft/")
    assert "Draft intro nobody may read yet." in preview.content.decode()

    response = client.get(mesotherapy.url)
    assert "Draft intro nobody may read yet." not in response.content.decode()


def test_cache_can_be_switched_off(client, mesotherapy, settings):
    """(The test settings do this for every other suite.)"""
    settings.PAGE_CACHE_SECONDS = 0

    first, second = get_twice(client, mesotherapy.url)

    assert "X-Cache" not in second


def test_article_with_the_embedded_appointment_form_is_not_stored(client, article_with_form):
    """The form's time-trap token records when this reader got the form: it cannot be shared."""
    first, second = get_twice(client, article_with_form.url)

    assert 'name="form-token"' in second.content.decode()
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "MISS")


def test_readers_still_get_pages_when_the_page_cache_lookup_fails(client, mesotherapy):
    # (Wagtail itself reads the cache to route pages, so a fully dead Redis is for
    # /healthz to report; this is a failing or timing-out page-cache read.)
    with mock.patch.object(page_cache._cache(), "get_many", side_effect=ConnectionError("redis timed out")):
        response = client.get(mesotherapy.url)

    assert response.status_code == 200
    assert "Mesotherapy" in response.content.decode()


def test_publishing_still_works_when_the_cache_is_down(mesotherapy):
    with mock.patch.object(page_cache._cache(), "incr", side_effect=ConnectionError("redis is down")):
        mesotherapy.title = "Mesotherapy, revised"
        mesotherapy.save_revision().publish()

    mesotherapy.refresh_from_db()
    assert mesotherapy.title == "Mesotherapy, revised"


def test_a_vote_retires_the_cached_article_and_index_and_the_voter_shares_the_page(
    committed, client, mesotherapy, treatment_index
):
    client.get(mesotherapy.url)
    client.get(treatment_index.url)
    voter = Reader()
    assert voter.client.get(mesotherapy.url)["X-Cache"] == "HIT"

    # The no-JavaScript vote: no token in the page, a same-site POST.
    with committed():
        assert voter.vote(mesotherapy, 4).status_code == 302

    article = client.get(mesotherapy.url)
    assert article["X-Cache"] == "MISS"
    assert "4.0 out of 5, 1 rating" in article.content.decode()
    assert "4.0 out of 5" in client.get(treatment_index.url).content.decode()
    # The voter, voter cookie and all, is served the shared copy; their score comes from the state endpoint.
    own = voter.client.get(mesotherapy.url)
    assert own["X-Cache"] == "HIT"
    assert own.content == client.get(mesotherapy.url).content
    assert voter.state(mesotherapy)["your_score"] == 4


def test_a_lost_version_counter_never_revives_old_entries(client, mesotherapy):
    client.get(mesotherapy.url)
    page_cache._cache().delete(page_cache.version_key(mesotherapy.url))

    assert client.get(mesotherapy.url)["X-Cache"] == "MISS"


def test_a_rating_change_leaves_other_articles_cached(committed, client, mesotherapy, treatment_index):
    other = treatment_index.get_children().exclude(pk=mesotherapy.pk).first()
    get_twice(client, other.url)

    with committed():
        Reader().vote(mesotherapy, 5)

    assert client.get(other.url)["X-Cache"] == "HIT"
