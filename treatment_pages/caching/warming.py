"""Render an article once right after its publish, so that no reader pays for its cold render.

A publish gives the article a new ``cache_key``: every fragment the article caches (its body,
structured data, references and byline, rating widget) is rendered again by the next request,
and that request is the first reader's, exactly when shared caches were just purged and miss.
Instead, once the publish commits, a task asks for the article as an anonymous reader would:
a GET of its full URL through the site's whole request handling (middleware, routing,
templates), in process, with no network. With a task worker, the worker pays; its renders land
in the shared cache (``REDIS_URL``) every web process reads. With the immediate task backend,
the publishing request pays once, after its commit.

A page behind a view restriction is left alone (an anonymous request is sent to sign in). A
failed warm-up is logged, never raised: the next reader renders the page as before.
"""

import logging
from functools import cache, partial
from io import BytesIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.db import transaction
from django.utils import translation
from django_tasks import task

logger = logging.getLogger(__name__)


def reader_request(url):
    """A bare anonymous GET of ``url`` (no cookies, no query string), as the WSGI server builds it."""
    parts = urlsplit(url)
    # Behind a TLS-terminating proxy the site may be set up with http:// while the app
    # redirects plain requests to https (SECURE_SSL_REDIRECT): ask as the proxy would.
    secure = parts.scheme == "https" or settings.SECURE_SSL_REDIRECT
    return WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": parts.path or "/",
            "QUERY_STRING": "",
            "SERVER_NAME": parts.hostname,
            "SERVER_PORT": str(parts.port or (443 if secure else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": parts.netloc,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if secure else "http",
            "wsgi.input": BytesIO(),
            "wsgi.errors": BytesIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
    )


@cache
def site_handler():
    """The site's request handling, as its WSGI server holds it: built once per process."""
    return WSGIHandler()


@task()
def warm_page(page_id):
    """Render the live page ``page_id`` as its first anonymous reader would; return the status."""
    from wagtail.models import Page

    page = Page.objects.live().filter(pk=page_id).first()
    if page is None or page.get_view_restrictions().exists():
        return None
    url = page.get_full_url()
    if not url:
        return None
    # The handler's middleware activates the page's language; the caller's stays as it was.
    # request_started and request_finished are not sent: they would close the database
    # connection of the request or task this runs in.
    with translation.override(translation.get_language()):
        response = site_handler().get_response(reader_request(url))
    if response.status_code != 200:
        logger.warning("warming %s after its publish answered %s", url, response.status_code)
    return response.status_code


def _enqueue_warm_page(page_id):
    try:
        warm_page.enqueue(page_id)
    except Exception:
        logger.exception("warming page %s after its publish failed; its next reader renders it", page_id)


def on_page_published(sender, instance, **kwargs):
    """Once an article's publish commits, warm it (its fragments are keyed on the new revision)."""
    from treatment_pages.models import TreatmentPage

    if isinstance(instance, TreatmentPage):
        transaction.on_commit(partial(_enqueue_warm_page, instance.pk), robust=True)
