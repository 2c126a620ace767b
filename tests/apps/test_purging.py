"""On a host that configured ``WAGTAILFRONTENDCACHE`` (here an HTTP PURGE receiver on loopback,
as Varnish would be), the app purges pages when they change; where nothing is configured it
sends no shared-cache headers, so no CDN keeps what the app cannot purge."""

import http.server
import threading

import pytest
from django.core.checks import run_checks
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from treatment_pages.ratings.votes import cast_vote


class PurgeReceiver(http.server.ThreadingHTTPServer):
    """Collects the (Host, path) of each PURGE request, as Varnish would act on them."""

    def __init__(self):
        self.purged = []
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 - the HTTP method's name
            self.server.purged.append((self.headers["Host"], self.path))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass


@pytest.fixture
def receiver(settings):
    server = PurgeReceiver()
    # Polling every 50 ms, not serve_forever's 0.5 s, which each test's shutdown() waited out.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
        }
    }
    yield server
    server.shutdown()
    server.server_close()


ARTICLE = ("localhost", "/treatments/mesotherapy/")
INDEX = ("localhost", "/treatments/")


def test_publishing_an_article_purges_it_and_its_index(article, receiver, django_capture_on_commit_callbacks):
    article.title = "Mesotherapy, revised"
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert ARTICLE in receiver.purged
    assert INDEX in receiver.purged


def test_nothing_is_purged_before_the_transaction_commits(
    article, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.save_revision().publish()
    assert receiver.purged == []
    for callback in callbacks:
        callback()
    assert ARTICLE in receiver.purged


def test_unpublishing_an_article_purges_it(article, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert ARTICLE in receiver.purged


def test_moving_an_article_purges_its_old_and_new_addresses(
    article, host_home, receiver, django_capture_on_commit_callbacks
):
    from tests.factories import TreatmentIndexPageFactory

    other = TreatmentIndexPageFactory(parent=host_home, slug="skin")
    other.save_revision().publish()
    receiver.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.move(other, pos="last-child")
    assert ARTICLE in receiver.purged
    assert ("localhost", "/skin/mesotherapy/") in receiver.purged
    assert INDEX in receiver.purged  # the old index listed it


def test_deleting_an_article_purges_it_and_its_index(article, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert ARTICLE in receiver.purged
    assert INDEX in receiver.purged


def test_making_an_article_private_purges_it_and_making_it_public_again_too(
    article, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=article, restriction_type=PageViewRestriction.PASSWORD, password="clinic"
        )
    assert ARTICLE in receiver.purged

    receiver.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert ARTICLE in receiver.purged


def test_a_vote_purges_the_rated_article(article, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(article, "voter-key", 5)
    assert ARTICLE in receiver.purged


def test_changing_the_clinic_contact_details_purges_every_page(
    article, receiver, django_capture_on_commit_callbacks
):
    from wagtail.models import Site

    from treatment_pages.models import ClinicContactSettings

    contact = ClinicContactSettings.for_site(Site.objects.get(is_default_site=True))
    contact.phone = "+1 555 0100"
    with django_capture_on_commit_callbacks(execute=True):
        contact.save()
    assert {ARTICLE, INDEX, ("localhost", "/request/")} <= set(receiver.purged)


def test_a_failing_purge_is_logged_and_the_publish_goes_through(
    article, settings, django_capture_on_commit_callbacks, caplog
):
    # Nothing listens on this port (the receiver is gone).
    server = PurgeReceiver()
    port = server.server_address[1]
    server.server_close()
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{port}",
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    article.refresh_from_db()
    assert article.live
    assert any("Couldn't purge" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_pages_are_public_to_shared_caches_only_where_purging_is_wired(article, client, settings, receiver):
    # The treatments list (the article embeds the appointment form, which is never shared).
    response = client.get("/treatments/")
    assert response.status_code == 200
    assert "s-maxage=600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response["Surrogate-Key"] == f"page-{article.get_parent().pk}"

    settings.WAGTAILFRONTENDCACHE = {}
    response = client.get("/treatments/")
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"private", "max-age=60"}
    assert "Surrogate-Key" not in response


def check_ids(**overrides):
    with override_settings(**overrides):
        return {message.id for message in run_checks(tags=["caches"])}


def test_the_check_warns_a_host_that_set_a_shared_cache_lifetime_without_purging():
    assert "treatment_pages.W001" in check_ids(PAGE_CACHE_SECONDS=600, WAGTAILFRONTENDCACHE={})
    assert "treatment_pages.W001" not in check_ids(PAGE_CACHE_SECONDS=0, WAGTAILFRONTENDCACHE={})
    backend = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:1",
        }
    }
    assert "treatment_pages.W001" not in check_ids(PAGE_CACHE_SECONDS=600, WAGTAILFRONTENDCACHE=backend)


def test_the_warning_names_the_fix():
    with override_settings(PAGE_CACHE_SECONDS=600, WAGTAILFRONTENDCACHE={}):
        (warning,) = [
            message for message in run_checks(tags=["caches"]) if message.id == "treatment_pages.W001"
        ]
    assert "WAGTAILFRONTENDCACHE" in warning.hint
    assert "PAGE_CACHE_SECONDS = 0" in warning.hint


def test_publishing_an_article_renders_it_for_its_first_reader_in_the_host(
    article, client, django_capture_on_commit_callbacks
):
    client.get(article.url)
    article.body = [*article.body.raw_data, {"type": "paragraph", "value": "<p>Revised aftercare.</p>"}]
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()

    with CaptureQueriesContext(connection) as first_reader:
        response = client.get(article.url)
    with CaptureQueriesContext(connection) as warm:
        client.get(article.url)
    assert "Revised aftercare." in response.text
    assert len(first_reader) == len(warm), "the publish rendered the article's fragments already"
