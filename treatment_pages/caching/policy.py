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

import hashlib
import logging
import time
from functools import partial

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


# Cached fragments ---------------------------------------------------------------------

CONTENT_VERSION_KEY = "treatment_pages:content-version"
# Bumped only by a change to what frames other pages: the navigation and breadcrumbs.
NAVIGATION_VERSION_KEY = "treatment_pages:navigation-version"
# Bumped by a change to the clinic settings, a site or the page the settings link.
CLINIC_SETTINGS_VERSION_KEY = "treatment_pages:clinic-settings-version"
FRAGMENT_SECONDS = 24 * 60 * 60
# One version per object an article body can show (a page, an image, a document) and one
# for the site-wide things it shows (clinic settings, the site's address).
SHOWN_VERSION_KEY = "treatment_pages:shown:{}:{}"
SITE_SHOWN_KEY = "treatment_pages:shown:site"
BODY_DEPENDENCIES_KEY = "treatment_pages:body-shows:{}"
# Every version key above: what a test (or a host's cache reset) retires to start afresh.
VERSION_KEYS = (CONTENT_VERSION_KEY, NAVIGATION_VERSION_KEY, CLINIC_SETTINGS_VERSION_KEY, SITE_SHOWN_KEY)


def _start_version(key):
    """A missing version starts from the clock: later than any value it had before it was
    evicted, so no fragment stored under an old value is found again."""
    cache.add(key, time.time_ns() // 1000, timeout=None)
    return cache.get(key)


def _read_version(key, request, attribute):
    """The version under ``key``, read once per request (kept on it as ``attribute``) when
    there is one; None when the cache is unavailable."""
    if request is not None and hasattr(request, attribute):
        return getattr(request, attribute)
    try:
        version = cache.get(key)
        if version is None:
            version = _start_version(key)
    except Exception:
        logger.warning("cache unavailable: page fragments rendered without it", exc_info=True)
        version = None
    if request is not None:
        setattr(request, attribute, version)
    return version


def content_version(request=None):
    """A number that changes whenever any live page changes (published, unpublished, moved,
    deleted), an image, a document, a site or the clinic settings. For fragments that show
    pages of any kind. Read once per request.
    """
    return _read_version(CONTENT_VERSION_KEY, request, "treatment_pages_content_version")


def navigation_version(request=None):
    """A number that changes when something the navigation or a breadcrumb shows changes:
    a site's root page or one of its children (the menu), any page with children (the
    trails below it), the clinic settings' appointment page, a site or the clinic settings
    (see :func:`frames_other_pages`). A publish of an article elsewhere leaves it as it
    is, so those fragments stay cached. Read once per request.
    """
    return _read_version(NAVIGATION_VERSION_KEY, request, "treatment_pages_navigation_version")


def clinic_settings_version():
    """A number that changes when the clinic settings, a site or the appointment page change:
    the cached ``ClinicContactSettings`` are kept under it."""
    return _read_version(CLINIC_SETTINGS_VERSION_KEY, None, None)


def frames_other_pages(page):
    """Whether ``page`` appears in other pages' navigation or breadcrumbs: a site's root page,
    a child of one (site menus list them) or a page with children (their trails show it).
    The clinic settings' appointment page, which the header links, is checked apart."""
    from wagtail.models import Site

    if page.depth <= 2 or page.numchild:
        return True
    url_path = page.url_path or ""
    parent_url_path = url_path.rstrip("/").rpartition("/")[0] + "/"
    root_paths = {root.root_path for root in Site.get_site_root_paths()}
    return url_path in root_paths or parent_url_path in root_paths


def shown_key(model, pk):
    """The version key of one object a body may show. Every page type shares ``Page``'s."""
    from wagtail.models import Page

    label = "wagtailcore.page" if issubclass(model, Page) else model._meta.label_lower
    return SHOWN_VERSION_KEY.format(label, pk)


def shown_in_stored_data(block, raw):
    """``(model, pk)`` of each page, image and document that ``raw`` (``block``'s stored JSON)
    links or embeds: what Wagtail's ``extract_references`` finds, read from the JSON without
    turning every block into its value first (that costs more than the rendering needs)."""
    from wagtail import blocks
    from wagtail.rich_text import extract_references_from_rich_text

    from treatment_pages.articles.stored_data import stored_leaves

    for leaf, value in stored_leaves(block, raw):
        if value is None:
            continue
        if isinstance(leaf, blocks.ChooserBlock):
            if isinstance(value, int | str) and str(value):
                yield leaf.model_class, str(value)
        elif isinstance(leaf, blocks.RichTextBlock):
            for model, pk, _path, _content_path in extract_references_from_rich_text(str(value)):
                yield model, pk
        elif type(leaf).extract_references is not blocks.Block.extract_references:
            # A block type with references of its own: Wagtail's way, from its value.
            for model, pk, _path, _content_path in leaf.extract_references(leaf.to_python(value)):
                yield model, pk


def body_version(page):
    """A digest of what ``page``'s body shows: the version of each page, image and document
    it links or embeds, and of the site-wide settings. With ``page.cache_key`` (its own
    published revision) it keys the cached body, so only a change to something this article
    shows retires it; a publish elsewhere does not.

    What the body shows is read from its StreamField's stored JSON (:func:`shown_in_stored_data`)
    once per published revision and kept in the cache: a warm render costs two cache reads and
    no query. ``None`` when the cache is unavailable (the body is then not cached).
    """
    try:
        dependencies_key = BODY_DEPENDENCIES_KEY.format(page.cache_key)
        shown = cache.get(dependencies_key)
        if shown is None:
            shown = sorted(
                {
                    shown_key(model, pk)
                    for model, pk in shown_in_stored_data(page.body.stream_block, page.body.raw_data)
                }
            )
            cache.set(dependencies_key, shown, FRAGMENT_SECONDS)
        keys = [SITE_SHOWN_KEY, *shown]
        versions = cache.get_many(keys)
        for key in keys:
            if key not in versions:
                versions[key] = _start_version(key)
    except Exception:
        logger.warning("cache unavailable: the article body is rendered without it", exc_info=True)
        return None
    return hashlib.md5(
        "|".join(f"{key}={versions[key]}" for key in keys).encode(), usedforsecurity=False
    ).hexdigest()


def article_version(page):
    """A digest of what an article page shows beside its body that its own published revision
    (``page.cache_key``, which ``{% wagtailpagecache %}`` adds to every key) does not cover:
    its review seal and the reviewer as they are now, its next review date, the clinic
    settings and sites (its address), its front-end address and, where the JSON-LD carries
    it (``TREATMENT_PAGES_JSON_LD_AGGREGATE_RATING``), its rating. Read from the page as the
    index's routing loaded it, seal and reviewer included: no query, and a sign-off, a
    reviewer's edit or a vote shows on the next render without any invalidation.
    ``None`` when the cache is unavailable.
    """
    from treatment_pages.articles.seo import frontend_base_url
    from treatment_pages.review.seal import seal_of

    settings_version = clinic_settings_version()
    if settings_version is None:
        return None
    seal = seal_of(page)
    reviewer = seal.reviewer if seal is not None else None
    parts = [
        settings_version,
        frontend_base_url(),
        page.next_review_due,
        seal
        and (
            seal.signed_fingerprint,
            seal.live_fingerprint,
            seal.reviewer_id,
            seal.reviewed_on,
            seal.reviewed_at,
        ),
        reviewer
        and (
            reviewer.name,
            reviewer.credentials,
            reviewer.role,
            reviewer.specialty,
            reviewer.profile_url,
            reviewer.live,
        ),
    ]
    if app_settings.TREATMENT_PAGES_JSON_LD_AGGREGATE_RATING:
        parts.append((page.rating_summary.count, page.rating_summary.total))
    return hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()


def _bump(keys):
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, time.time_ns() // 1000, timeout=None)
        except Exception:
            logger.warning("cache unavailable: cached page fragments may be stale", exc_info=True)


def bump_versions(keys):
    """Retire the fragments cached under these versions, now and again after commit (a render
    in between would otherwise store the old content under the new version)."""
    keys = list(keys)
    _bump(keys)
    transaction.on_commit(partial(_bump, keys), robust=True)


def bump_content_version(**kwargs):
    """Retire every cached navigation and breadcrumb."""
    bump_versions([CONTENT_VERSION_KEY, NAVIGATION_VERSION_KEY])


def connect_signals():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.images import get_image_model
    from wagtail.models import Page, Site
    from wagtail.signals import page_slug_changed, page_unpublished, post_page_move

    from treatment_pages.models import ClinicContactSettings

    def shown_models():
        """Pages (their titles and URLs), images and documents (their files' URLs) appear in
        cached fragments of other pages: navigation, breadcrumbs, article bodies."""
        models = [Page, get_image_model()]
        if apps.is_installed("wagtail.documents"):
            from wagtail.documents import get_document_model

            models.append(get_document_model())
        return tuple(models)

    def page_changed(page):
        keys = [CONTENT_VERSION_KEY, shown_key(Page, page.pk)]
        if ClinicContactSettings.objects.filter(appointment_page_id=page.pk).exists():
            # The header links it; the cached settings hold it.
            keys += [NAVIGATION_VERSION_KEY, CLINIC_SETTINGS_VERSION_KEY]
        elif frames_other_pages(page):
            keys.append(NAVIGATION_VERSION_KEY)
        bump_versions(keys)

    def changed(instance):
        if isinstance(instance, Page):
            page_changed(instance)
        elif isinstance(instance, shown_models()):
            bump_versions([CONTENT_VERSION_KEY, shown_key(type(instance), instance.pk)])
        elif isinstance(instance, ClinicContactSettings | Site):
            # The header shows the clinic settings' appointment page; bodies show the clinic's details.
            bump_versions(
                [CONTENT_VERSION_KEY, NAVIGATION_VERSION_KEY, CLINIC_SETTINGS_VERSION_KEY, SITE_SHOWN_KEY]
            )

    def saved(sender, instance, **kwargs):
        # A draft changes nothing shown.
        if isinstance(instance, Page) and not instance.live:
            return
        changed(instance)

    def deleted(sender, instance, **kwargs):
        if isinstance(instance, Page):
            # Whatever it was: the clinic settings' link to it was cleared by a queryset update
            # (SET_NULL, no signal), and it may have framed other pages.
            bump_versions(
                [
                    CONTENT_VERSION_KEY,
                    NAVIGATION_VERSION_KEY,
                    CLINIC_SETTINGS_VERSION_KEY,
                    shown_key(Page, instance.pk),
                ]
            )
            return
        changed(instance)

    def unpublished(sender, instance, **kwargs):
        page_changed(instance)

    def addresses_changed(sender, instance, **kwargs):
        """A move or a new slug changes the URLs of the page and of every page below it (and
        a move may take a page into or out of a site's menu)."""
        pages = Page.objects.descendant_of(instance, inclusive=True).values_list("pk", flat=True)
        bump_versions(
            [
                CONTENT_VERSION_KEY,
                NAVIGATION_VERSION_KEY,
                CLINIC_SETTINGS_VERSION_KEY,
                *(shown_key(Page, pk) for pk in pages),
            ]
        )

    post_save.connect(saved, weak=False, dispatch_uid="treatment_pages_fragments_page_saved")
    post_delete.connect(deleted, weak=False, dispatch_uid="treatment_pages_fragments_page_deleted")
    page_unpublished.connect(unpublished, weak=False, dispatch_uid="treatment_pages_fragments_unpublished")
    post_page_move.connect(addresses_changed, weak=False, dispatch_uid="treatment_pages_fragments_moved")
    page_slug_changed.connect(addresses_changed, weak=False, dispatch_uid="treatment_pages_fragments_slug")
