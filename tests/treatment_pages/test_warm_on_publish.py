"""An article's publish renders it once for readers (treatment_pages.caching.warming), so the
first reader after a publish gets the new article at a warm article's cost, never a cold render."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import PageViewRestriction

from treatment_pages.caching import warming

NEW_SENTENCE = "Freshly published sentence about aftercare."


@pytest.fixture
def site_handler_for_these_settings():
    """The warm-up keeps one handler per process, whose middleware read the settings when built."""
    warming.site_handler.cache_clear()
    yield
    warming.site_handler.cache_clear()


def add_paragraph(page, text):
    page.refresh_from_db()
    page.body = [*page.body.raw_data, {"type": "paragraph", "value": f"<p>{text}</p>"}]
    return page


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_the_first_reader_after_a_publish_gets_the_new_article_warm(
    client, mesotherapy, django_capture_on_commit_callbacks
):
    client.get(mesotherapy.url)  # the site's own caches (root paths, settings) are warm

    with django_capture_on_commit_callbacks(execute=True):
        add_paragraph(mesotherapy, NEW_SENTENCE).save_revision().publish()
    first_reader, first_reader_queries = queries_of(client, mesotherapy.url)
    _warm, warm_queries = queries_of(client, mesotherapy.url)

    assert NEW_SENTENCE in first_reader.text
    assert first_reader_queries == warm_queries, "the publish rendered the article's fragments already"


def test_without_the_warm_up_the_first_reader_would_render_it_cold(client, mesotherapy):
    # The same publish, its commit callbacks (the warm-up) not run: the proof the test above can fail.
    client.get(mesotherapy.url)

    add_paragraph(mesotherapy, NEW_SENTENCE).save_revision().publish()
    first_reader, first_reader_queries = queries_of(client, mesotherapy.url)
    _warm, warm_queries = queries_of(client, mesotherapy.url)

    assert NEW_SENTENCE in first_reader.text
    assert first_reader_queries > warm_queries


def test_the_publishers_language_is_kept(mesotherapy, django_capture_on_commit_callbacks):
    with translation.override("es"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            add_paragraph(mesotherapy, NEW_SENTENCE).save_revision().publish()
        assert callbacks, "the publish queued its warm-up"
        assert translation.get_language() == "es"


def test_a_page_behind_a_view_restriction_is_not_rendered_for_the_public(client, mesotherapy):
    PageViewRestriction.objects.create(
        page=mesotherapy, restriction_type=PageViewRestriction.PASSWORD, password="clinic"
    )

    assert warming.warm_page.call(mesotherapy.pk) is None
    assert warming.warm_page.call(mesotherapy.get_parent().pk) == 200, "a public page is rendered"


def test_a_failed_warm_up_is_logged_and_the_publish_stands(
    mesotherapy, settings, caplog, django_capture_on_commit_callbacks, site_handler_for_these_settings
):
    settings.ALLOWED_HOSTS = ["testserver"]  # the site's own hostname (localhost) is refused

    with caplog.at_level(logging.WARNING, logger="treatment_pages.caching.warming"):
        with django_capture_on_commit_callbacks(execute=True):
            revision = add_paragraph(mesotherapy, NEW_SENTENCE).save_revision()
            revision.publish()

    mesotherapy.refresh_from_db()
    assert mesotherapy.live_revision_id == revision.pk
    assert "answered 400" in caplog.text


def test_a_site_that_redirects_to_https_is_asked_over_https(
    mesotherapy, settings, site_handler_for_these_settings
):
    # The site is set up as http://localhost; a TLS-terminating proxy sits in front in production.
    settings.SECURE_SSL_REDIRECT = True

    assert warming.warm_page.call(mesotherapy.pk) == 200
