"""The page cache: anonymous readers get stored pages, and never a stale or private one."""

import re
from unittest import mock

import pytest
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from wagtail import hooks
from wagtail.models import PageViewRestriction

from cms_site import page_cache, signals
from tests.factories import UserFactory
from treatment_pages.models import ClinicContactSettings, TreatmentIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """The production default; the test settings switch the cache off for other suites."""
    settings.PAGE_CACHE_SECONDS = 600


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
    # The same page; only the rating form's CSRF token is this reader's own.
    assert without_token(second) == without_token(first)
    assert second["Content-Type"] == first["Content-Type"]
    # The stored copy keeps the headers the page was rendered with.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    # ...and each answer still gets its own request id.
    assert second["X-Request-ID"] != first["X-Request-ID"]


@pytest.mark.parametrize("fixture", ["home_page", "treatment_index", "mesotherapy"])
def test_home_index_and_article_pages_are_cached(client, request, fixture):
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


def test_publishing_a_change_replaces_the_cached_page(client, mesotherapy, treatment_index):
    client.get(mesotherapy.url)
    client.get(treatment_index.url)

    mesotherapy.intro = "A brand new introduction to mesotherapy."
    mesotherapy.save_revision().publish()

    response = client.get(mesotherapy.url)
    assert response["X-Cache"] == "MISS"
    assert "A brand new introduction to mesotherapy." in response.content.decode()
    # The index lists the article's intro too.
    assert "A brand new introduction to mesotherapy." in client.get(treatment_index.url).content.decode()


def test_publish_purges_again_when_the_transaction_commits(
    client, mesotherapy, django_capture_on_commit_callbacks
):
    """A reader rendering between the change and the commit would see the old content:
    the purge after commit retires what they stored."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mesotherapy.intro = "Changed in a transaction."
        mesotherapy.save_revision().publish()
    # Simulates a reader who stored a copy before the commit became visible.
    client.get(mesotherapy.url)
    assert client.get(mesotherapy.url)["X-Cache"] == "HIT"

    for callback in callbacks:
        callback()

    assert client.get(mesotherapy.url)["X-Cache"] == "MISS"


def test_unpublishing_removes_the_page_for_readers(client, mesotherapy, treatment_index):
    get_twice(client, mesotherapy.url)
    client.get(treatment_index.url)

    mesotherapy.unpublish()

    assert client.get(mesotherapy.url).status_code == 404
    assert "Mesotherapy" not in client.get(treatment_index.url).content.decode()


def test_moving_a_page_invalidates_its_old_address_and_listings(
    client, home_page, mesotherapy, treatment_index
):
    second_index = home_page.add_child(instance=TreatmentIndexPage(title="Other treatments", slug="other"))
    old_url = mesotherapy.url
    get_twice(client, old_url)
    client.get(treatment_index.url)

    mesotherapy.move(second_index, pos="last-child")

    # Not the cached article any more: Wagtail's automatic redirect to the new address.
    moved = client.get(old_url)
    assert moved.status_code == 301
    assert moved["Location"] == "/other/mesotherapy/"
    assert "Mesotherapy" not in client.get(treatment_index.url).content.decode()
    assert client.get("/other/mesotherapy/").status_code == 200


def test_deleting_a_page_invalidates_it(client, mesotherapy, treatment_index):
    url = mesotherapy.url
    get_twice(client, url)
    client.get(treatment_index.url)

    mesotherapy.delete()

    assert client.get(url).status_code == 404
    assert "Mesotherapy" not in client.get(treatment_index.url).content.decode()


def test_changing_site_settings_updates_every_cached_footer(client, demo_site, mesotherapy, home_page):
    get_twice(client, mesotherapy.url)
    get_twice(client, home_page.url)

    contact = ClinicContactSettings.for_site(demo_site)
    contact.phone = "+1 (217) 555-0199"
    contact.save()

    for url in (mesotherapy.url, home_page.url):
        response = client.get(url)
        assert response["X-Cache"] == "MISS"
        assert "+1 (217) 555-0199" in response.content.decode()


def test_rating_change_retires_the_page_and_the_index_above_it_only(
    client, mesotherapy, treatment_index, home_page
):
    for url in (mesotherapy.url, treatment_index.url, home_page.url):
        client.get(url)

    signals.purge_rated_page(sender=None, page_id=mesotherapy.pk)

    assert client.get(mesotherapy.url)["X-Cache"] == "MISS"
    assert client.get(treatment_index.url)["X-Cache"] == "MISS"
    assert client.get(home_page.url)["X-Cache"] == "MISS"  # the home page is an ancestor too
    other = treatment_index.get_children().exclude(pk=mesotherapy.pk).first()
    client.get(other.url)
    assert client.get(other.url)["X-Cache"] == "HIT"


def test_a_lost_generation_counter_never_revives_old_entries(client, mesotherapy):
    client.get(mesotherapy.url)
    page_cache._cache().delete(page_cache.GENERATION_KEY)

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


def render_csrf_token(next_serve_page):
    """An on_serve_page hook that puts a form's CSRF token in the page, as forms do."""

    def serve(page, request, args, kwargs):
        from django.middleware.csrf import get_token

        response = next_serve_page(page, request, args, kwargs)
        response.render()
        token = get_token(request)
        response.content = response.content.replace(
            b"</main>", f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}"></main>'.encode()
        )
        return response

    return serve


def without_token(response):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', b"", response.content)


def rendered_token(response):
    return re.search(
        r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', response.content.decode()
    ).group(1)


def test_a_page_with_a_csrf_token_is_shared_but_each_reader_gets_their_own_token(client, mesotherapy):
    with hooks.register_temporarily("on_serve_page", render_csrf_token):
        first = client.get(mesotherapy.url)
        other_reader = Client()
        second = other_reader.get(mesotherapy.url)

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    first_secret = first.cookies["csrftoken"].value
    second_secret = second.cookies["csrftoken"].value
    assert first_secret != second_secret
    # Each page carries a token that matches its own reader's cookie only.
    assert _unmask_cipher_token(rendered_token(first)) == first_secret
    assert _unmask_cipher_token(rendered_token(second)) == second_secret
    assert first_secret not in second.content.decode()
    assert int(second["Content-Length"]) == len(second.content)


def test_a_reader_with_a_csrf_cookie_keeps_it_on_a_cached_page(client, mesotherapy):
    with hooks.register_temporarily("on_serve_page", render_csrf_token):
        client.get(mesotherapy.url)
        returning = Client()
        returning.cookies["csrftoken"] = "a" * 32
        response = returning.get(mesotherapy.url)

    assert response["X-Cache"] == "HIT"
    assert _unmask_cipher_token(rendered_token(response)) == "a" * 32
    assert response.cookies["csrftoken"].value == "a" * 32


def test_a_token_from_a_cached_page_passes_csrf_checks(mesotherapy, settings):
    """The substituted token is the real thing: Django's CSRF check accepts it."""
    with hooks.register_temporarily("on_serve_page", render_csrf_token):
        Client().get(mesotherapy.url)
        reader = Client(enforce_csrf_checks=True)
        page = reader.get(mesotherapy.url)
    assert page["X-Cache"] == "HIT"

    # The admin login form is a CSRF-protected POST the test can reach.
    accepted = reader.post("/admin/login/", {"csrfmiddlewaretoken": rendered_token(page), "username": "x"})
    refused = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"csrfmiddlewaretoken": rendered_token(page), "username": "x"}
    )

    assert accepted.status_code == 200  # the form again, with "wrong username or password"
    assert refused.status_code == 403


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


def test_page_types_that_did_not_opt_in_are_not_stored(client, mesotherapy, settings):
    settings.PAGE_CACHE_PAGE_TYPES = ["cms_site.homepage"]

    first, second = get_twice(client, mesotherapy.url)

    assert second["X-Cache"] == "MISS"


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


def test_preview_requests_are_not_marked_for_storing(rf, mesotherapy):
    request = rf.get(mesotherapy.url)
    request._page_cache_key = "some-key"
    request.is_preview = True

    page_cache.mark_page_cacheable(mesotherapy, request)

    assert not hasattr(request, "_page_cache_page")


def test_cache_can_be_switched_off(client, mesotherapy, settings):
    """(The test settings do this for every other suite.)"""
    settings.PAGE_CACHE_SECONDS = 0

    first, second = get_twice(client, mesotherapy.url)

    assert "X-Cache" not in second


def test_stored_page_is_not_served_when_the_view_would_answer_differently(client, mesotherapy):
    """Sanity check of the test hook used above: without it the page is cached."""
    first, second = get_twice(client, mesotherapy.url)
    assert isinstance(second, HttpResponse)
    assert second["X-Cache"] == "HIT"


def test_article_with_the_embedded_appointment_form_is_not_stored(client, article_with_form):
    """The form's time-trap token records when this reader got the form: it cannot be shared."""
    first, second = get_twice(client, article_with_form.url)

    assert 'name="form-token"' in second.content.decode()
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "MISS")


def test_the_never_store_field_is_the_forms_time_trap_field(settings):
    from lead_forms.spam import TIME_TRAP_FIELD

    assert TIME_TRAP_FIELD in settings.PAGE_CACHE_NEVER_STORE_FIELDS


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


def test_a_vote_retires_the_cached_article_and_index_for_every_reader(
    client, mesotherapy, treatment_index, django_capture_on_commit_callbacks
):
    client.get(mesotherapy.url)
    client.get(treatment_index.url)
    assert client.get(mesotherapy.url)["X-Cache"] == "HIT"
    voter = Client(enforce_csrf_checks=True)
    page = voter.get(mesotherapy.url)
    assert page["X-Cache"] == "HIT"

    # The no-JavaScript vote, with the CSRF token the cached page gave this reader.
    with django_capture_on_commit_callbacks(execute=True):
        vote = voter.post(
            f"/ratings/{mesotherapy.pk}/vote/", {"score": "4", "csrfmiddlewaretoken": rendered_token(page)}
        )

    assert vote.status_code == 302
    article = client.get(mesotherapy.url)
    assert article["X-Cache"] == "MISS"
    assert "4.0 out of 5, 1 rating" in article.content.decode()
    assert "4.0 out of 5" in client.get(treatment_index.url).content.decode()
    # The voter now has a voter cookie: their pages are rendered for them, with their score.
    own = voter.get(mesotherapy.url)
    assert "X-Cache" not in own
    assert "You rated this page 4 stars" in own.content.decode()


def test_the_bypass_cookie_is_the_ratings_voter_cookie(settings):
    from treatment_pages.voters import VOTER_COOKIE_NAME

    assert VOTER_COOKIE_NAME in settings.PAGE_CACHE_BYPASS_COOKIES


def test_tokens_made_for_cached_pages_are_ones_django_unmasks_to_the_secret():
    secrets_seen = set()
    for _ in range(200):
        secret = page_cache._random_csrf_string()
        token = page_cache._masked_token(secret)
        assert re.fullmatch(r"[A-Za-z0-9]{32}", secret)
        assert len(token) == 64
        assert _unmask_cipher_token(token) == secret
        secrets_seen.add(secret)
    assert len(secrets_seen) == 200
