"""Which page responses any shared cache (a CDN, Varnish, the site's own page cache) may keep.

The app that renders a page decides, in HTTP, and nothing downstream second-guesses it:

- A page that is the same for every anonymous reader (no CSRF token, no reader's own
  score, no cookie set) answers ``Cache-Control: public, max-age=<short>,
  s-maxage=<PAGE_CACHE_SECONDS>, stale-while-revalidate=<...>`` with a surrogate key
  (``Surrogate-Key`` for Varnish/Fastly, ``Cache-Tag`` for Cloudflare) naming the page,
  but only where ``WAGTAILFRONTENDCACHE`` names a backend: only there does the app purge
  shared caches on change (``treatment_pages.caching.purging``). Elsewhere it answers
  ``private, max-age=<short>``: a browser may reuse it for a minute, no shared cache keeps
  it, so no CDN serves a stale article for ten minutes after a publish.
- Everything else a page serves (a signed-in editor's copy with the user bar, a
  password-protected page a reader unlocked, a page embedding the appointment form,
  previews) is ``private, no-store``.

``PAGE_CACHE_SECONDS`` (``treatment_pages.conf``, 600 by default) is the shared caches'
lifetime; 0 sends no caching headers beyond Django's.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import transaction
from django.utils.cache import add_never_cache_headers, patch_cache_control

from treatment_pages.conf import app_settings

logger = logging.getLogger(__name__)

# How long a browser may reuse its own copy without asking: short, as a purge cannot reach it.
BROWSER_MAX_AGE = 60
SAFE_METHODS = ("GET", "HEAD")


def shared_cache_seconds():
    """``PAGE_CACHE_SECONDS``: how long a shared cache may keep a public page (0: never)."""
    return int(app_settings.PAGE_CACHE_SECONDS or 0)


def shared_caches_purged():
    """Whether the app purges shared caches on change (``WAGTAILFRONTENDCACHE`` has a backend).

    Only then may a page say ``public, s-maxage``: unpurged, a CDN would serve a page for
    ``PAGE_CACHE_SECONDS`` after it changed, or after it turned private.
    """
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def page_cache_tag(page_id):
    """The surrogate key / cache tag a page's responses carry (purge by tag where supported)."""
    return f"page-{page_id}"


def request_is_anonymous(request):
    """No session cookie, no credentials: nobody this response could be personal to.

    Without a session cookie nobody is signed in; checked from the request itself, so
    deciding loads no session.
    """
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "HTTP_AUTHORIZATION" not in request.META


class SharedCacheMixin:
    """Page mixin: its anonymous readers' copy is marked shareable (see module docstring).

    A page type overrides :meth:`is_shared_cacheable` to keep a page out of shared caches
    (e.g. it embeds a form with a per-reader token) and :meth:`get_cache_tags` to add tags.
    """

    def is_shared_cacheable(self, request):
        """Contract: ``True`` when the anonymous response is the same for every reader."""
        return True

    def get_cache_tags(self):
        """Surrogate keys for this page's responses (purging by tag, where the cache supports it)."""
        return [page_cache_tag(self.pk)]

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        set_page_cache_headers(self, request, response)
        return response


def set_page_cache_headers(page, request, response):
    """Mark ``response`` public (with tags) or private, unless the view already decided."""
    if response.has_header("Cache-Control"):
        return
    seconds = shared_cache_seconds()
    public = (
        request.method in SAFE_METHODS
        and response.status_code == 200
        and not getattr(request, "is_preview", False)
        and not response.cookies
        and request_is_anonymous(request)
        and page.is_shared_cacheable(request)
    )
    if not public:
        add_never_cache_headers(response)
        return
    if seconds <= 0:
        return
    if not shared_caches_purged():
        patch_cache_control(response, private=True, max_age=min(BROWSER_MAX_AGE, seconds))
        return
    patch_cache_control(
        response,
        public=True,
        max_age=min(BROWSER_MAX_AGE, seconds),
        s_maxage=seconds,
        stale_while_revalidate=seconds,
    )
    tags = " ".join(page.get_cache_tags())
    response["Surrogate-Key"] = tags
    response["Cache-Tag"] = tags.replace(" ", ",")


@register(Tags.caches)
def check_shared_cache_purging(app_configs, **kwargs):
    """A host that set ``PAGE_CACHE_SECONDS`` for a CDN but configured no purging gets no
    shared caching at all (see :func:`shared_caches_purged`): say so, with the fix."""
    if not hasattr(settings, "PAGE_CACHE_SECONDS") or shared_cache_seconds() <= 0 or shared_caches_purged():
        return []
    return [
        CheckWarning(
            f"PAGE_CACHE_SECONDS is {shared_cache_seconds()} but WAGTAILFRONTENDCACHE names no backend, "
            "so treatment pages are not purged on change and send no shared-cache headers "
            "(browsers keep them for a minute, no CDN or Varnish keeps them).",
            hint="Configure wagtail.contrib.frontend_cache for your CDN or Varnish in WAGTAILFRONTENDCACHE "
            '(e.g. {"varnish": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", '
            '"LOCATION": "http://127.0.0.1:6081"}}), or set PAGE_CACHE_SECONDS = 0.',
            id="treatment_pages.W001",
        )
    ]


# Fragments showing other pages (navigation, breadcrumbs) ---------------------------------

CONTENT_VERSION_KEY = "treatment_pages:content-version"
FRAGMENT_SECONDS = 24 * 60 * 60


def content_version(request=None):
    """A number that changes whenever any live page changes (published, unpublished, moved,
    deleted). Fragments that repeat other pages' titles and URLs (the navigation, breadcrumbs)
    are cached under it, so a cache miss renders them without a query. Read once per request.
    """
    if request is not None and hasattr(request, "treatment_pages_content_version"):
        return request.treatment_pages_content_version
    try:
        version = cache.get(CONTENT_VERSION_KEY)
        if version is None:
            cache.add(CONTENT_VERSION_KEY, time.time_ns() // 1000, timeout=None)
            version = cache.get(CONTENT_VERSION_KEY)
    except Exception:
        logger.warning("cache unavailable: page fragments rendered without it", exc_info=True)
        version = None
    if request is not None:
        request.treatment_pages_content_version = version
    return version


def _bump():
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.set(CONTENT_VERSION_KEY, time.time_ns() // 1000, timeout=None)
    except Exception:
        logger.warning("cache unavailable: cached page fragments may be stale", exc_info=True)


def bump_content_version(**kwargs):
    """Retire every cached fragment, now and again after commit (a render in between
    would otherwise store the old titles under the new version)."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_unpublished, post_page_move

    def shown_in_fragments(instance):
        """Pages (their titles and URLs), images and documents (their files' URLs) appear in
        cached fragments of other pages: navigation, breadcrumbs, article bodies."""
        from django.apps import apps
        from wagtail.images import get_image_model
        from wagtail.models import Page

        if isinstance(instance, Page | get_image_model()):
            return True
        if apps.is_installed("wagtail.documents"):
            from wagtail.documents import get_document_model

            return isinstance(instance, get_document_model())
        return False

    def saved(sender, instance, **kwargs):
        from wagtail.models import Page

        from treatment_pages.models import ClinicContactSettings

        # The header shows the clinic settings' appointment page too. A draft changes nothing shown.
        if isinstance(instance, Page) and not instance.live:
            return
        if shown_in_fragments(instance) or isinstance(instance, ClinicContactSettings):
            bump_content_version()

    def deleted(sender, instance, **kwargs):
        if shown_in_fragments(instance):
            bump_content_version()

    post_save.connect(saved, weak=False, dispatch_uid="treatment_pages_fragments_page_saved")
    post_delete.connect(deleted, weak=False, dispatch_uid="treatment_pages_fragments_page_deleted")
    page_unpublished.connect(bump_content_version, dispatch_uid="treatment_pages_fragments_unpublished")
    post_page_move.connect(bump_content_version, dispatch_uid="treatment_pages_fragments_moved")
