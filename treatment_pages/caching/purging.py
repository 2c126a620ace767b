"""Which URLs to purge from the frontend caches when content changes.

Plugin pages tell shared caches (a CDN, Varnish, a site's own page cache) to keep them
(``treatment_pages.caching.policy``) only where this module can purge them: it is connected in
``TreatmentPagesConfig.ready`` and does nothing unless ``WAGTAILFRONTENDCACHE`` names at
least one backend. Every purge goes through ``wagtail.contrib.frontend_cache``
(``PurgeBatch``), so it reaches whatever the host configured. Wagtail's own
``wagtail.contrib.frontend_cache`` app need not be installed (its handlers purge only the
published page itself, and before the transaction commits).

- Publishing, unpublishing, moving or deleting a page purges it and every page that
  shows it: its ancestors (the index lists it, the home page lists sections), its
  descendants (their breadcrumbs show its title) and, for a page in the main navigation
  (the home page and its children shown in menus), every page. A move also purges the old
  addresses; a slug change the old URL.
- A privacy change (a ``PageViewRestriction`` saved or deleted) purges the page and
  everything below it: a cached public copy of a page that is now private would be
  served to anyone.
- A vote (a rating summary change) purges only what shows the summary: its article, the
  index listing it as a card, and the API URLs carrying it. Votes on one article within
  ``TREATMENT_PAGES_RATING_PURGE_SECONDS`` are purged together, in one deferred batch.
- Saving site settings (the clinic's contact details, in every footer), a site or an
  image purges every page.

Each change's URLs are purged in one batch after its transaction commits (a reader
rendering before the commit cannot keep the old content); a failed purge is logged, never
raised into the editor's or reader's action. Wagtail hands the purge to its task backend
(``purge_urls_from_cache_task``), so with a database task backend it runs in the worker.
"""

import logging
from datetime import timedelta
from functools import partial, wraps
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from treatment_pages.caching.policy import shared_caches_purged as purging_configured
from treatment_pages.conf import rating_purge_seconds
from treatment_pages.signals import rating_summary_changed

logger = logging.getLogger(__name__)


def _purge(urls):
    """Purge ``urls`` from every configured frontend cache (Wagtail's purge task)."""
    try:
        PurgeBatch(urls).purge()
    except Exception:
        logger.exception(
            "frontend cache purge of %d URLs failed; pages may be stale until they expire", len(urls)
        )


def schedule_purge(urls):
    """Purge ``urls`` in one batch once the current transaction commits (at once outside one)."""
    urls = {url for url in urls if url}
    if urls and purging_configured():
        transaction.on_commit(partial(_purge, urls), robust=True)


def page_urls(pages):
    """Full URLs of these pages (with their cached paths, as Wagtail's own purges)."""
    batch = PurgeBatch()
    batch.add_pages(pages)
    return batch.urls


def api_urls(page, names=None):
    """API URLs whose answers show ``page`` or its rating summary."""
    full_url = page.get_full_url()
    if not full_url:
        return []
    root = "{0.scheme}://{0.netloc}".format(urlsplit(full_url))
    names = names or [
        ("wagtailapi:pages:detail", [page.pk]),
        ("wagtailapi:pages:listing", []),
        ("wagtailapi_v3:rating_summary", [page.pk]),
    ]
    urls = []
    for name, args in names:
        try:
            urls.append(root + reverse(name, args=args))
        except NoReverseMatch:  # the project does not mount that API
            continue
    return urls


def purge_everything():
    """Every live page of every site, and the API listing."""
    pages = Page.objects.live().filter(depth__gt=1).specific(defer=True)
    urls = set(page_urls(pages))
    for site in Site.objects.all():
        try:
            urls.add(site.root_url + reverse("wagtailapi:pages:listing"))
        except NoReverseMatch:
            pass
    schedule_purge(urls)


def _in_navigation(page):
    # The main navigation lists the home page's children shown in menus, on every page.
    return page.depth <= 2 or (page.depth == 3 and page.show_in_menus)


def purge_page_and_pages_showing_it(page):
    if _in_navigation(page):
        purge_everything()
        return
    related = (
        Page.objects.ancestor_of(page, inclusive=True).filter(depth__gt=1)
        | Page.objects.descendant_of(page).live()
    )
    urls = set(page_urls(related.specific(defer=True)))
    urls.update(api_urls(page))
    schedule_purge(urls)


def when_purging(handler):
    """Run ``handler`` only where a frontend cache is configured (no queries otherwise)."""

    @wraps(handler)
    def wrapper(*args, **kwargs):
        if purging_configured():
            handler(*args, **kwargs)

    return wrapper


@when_purging
def on_page_published(instance, **kwargs):
    purge_page_and_pages_showing_it(instance)


@when_purging
def on_page_unpublished(instance, **kwargs):
    purge_page_and_pages_showing_it(instance)


@when_purging
def on_page_moved(instance, parent_page_before, url_path_before, url_path_after, **kwargs):
    purge_page_and_pages_showing_it(instance)
    # The old parent (and the pages above it) listed the page.
    purge_page_and_pages_showing_it(parent_page_before)
    # The old addresses of the page and everything below it still sit in caches.
    sites = [(site.root_page.url_path, site.root_url) for site in Site.objects.select_related("root_page")]
    old_urls = set()
    for page in Page.objects.descendant_of(instance, inclusive=True).live().only("url_path"):
        old_path = url_path_before + page.url_path[len(url_path_after) :]
        for root_path, root_url in sites:
            if old_path.startswith(root_path):
                old_urls.add(root_url + "/" + old_path[len(root_path) :])
    schedule_purge(old_urls)


@when_purging
def on_slug_changed(instance, instance_before, **kwargs):
    schedule_purge(page_urls([instance_before]))


@when_purging
def on_page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page) and instance.live and instance.depth > 1:
        purge_page_and_pages_showing_it(instance)


@when_purging
def on_setting_changed(sender, instance, **kwargs):
    # Site settings (the clinic's contact details) appear in every page's footer.
    if isinstance(instance, BaseSiteSetting | BaseGenericSetting):
        purge_everything()


@when_purging
def on_site_or_image_changed(sender, **kwargs):
    purge_everything()


# Per article: a vote purged at once within the window, and a deferred purge pending.
RATING_PURGED_KEY = "treatment_pages:rating-purged:{}"
RATING_PURGE_PENDING_KEY = "treatment_pages:rating-purge-pending:{}"


def rated_page_urls(page):
    """What shows ``page``'s rating summary: the article, the index listing it as a card
    (pages further up show no ratings) and the API answers carrying the summary."""
    pages = [page.specific_deferred]
    parent = page.get_parent()
    if parent is not None and parent.depth > 1:
        pages.append(parent.specific_deferred)
    names = [
        ("wagtailapi:pages:detail", [page.pk]),
        ("wagtailapi:pages:listing", []),  # ?fields=rating
        ("wagtailapi_v3:rating_summary", [page.pk]),
        ("wagtailapi_v3:treatment_list", []),
    ]
    return {*page_urls(pages), *api_urls(page, names)}


@when_purging
def purge_rated_page(sender, page_id, **kwargs):
    """A vote changed ``page_id``'s summary: purge what shows it, batched per article.

    The first vote in a window of ``TREATMENT_PAGES_RATING_PURGE_SECONDS`` purges at once
    (a lone vote shows at once); the votes after it in the window share one purge, deferred
    to run after the window (after they committed, so it covers them all): at most two
    purges per article per window however many votes. Where the task backend cannot defer,
    every vote purges at once.
    """
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    urls = sorted(rated_page_urls(page))
    seconds = rating_purge_seconds()
    if seconds <= 0 or not purge_urls_from_cache_task.get_backend().supports_defer:
        schedule_purge(urls)
        return
    try:
        if cache.add(RATING_PURGED_KEY.format(page_id), True, timeout=seconds):
            schedule_purge(urls)
            return
        # The pending key outlives the window it was set in, and the purge runs after it
        # expires: every vote that found it is covered.
        if not cache.add(RATING_PURGE_PENDING_KEY.format(page_id), True, timeout=seconds):
            return
    except Exception:
        logger.warning("cache unavailable: the vote is purged on its own", exc_info=True)
        schedule_purge(urls)
        return
    try:
        purge_urls_from_cache_task.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue(urls)
    except Exception:
        logger.exception(
            "frontend cache purge of %d URLs failed; pages may be stale until they expire", len(urls)
        )


@when_purging
def on_privacy_changed(sender, instance, **kwargs):
    """A view restriction added, changed or removed: the page and everything below it.

    Where a page turned private, a shared cache would otherwise keep serving its public copy.
    """
    try:
        page = instance.page
    except Page.DoesNotExist:  # the restriction goes with its deleted page
        return
    purge_page_and_pages_showing_it(page)


def connect():
    page_published.connect(on_page_published, dispatch_uid="frontend_cache_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="frontend_cache_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="frontend_cache_moved")
    page_slug_changed.connect(on_slug_changed, dispatch_uid="frontend_cache_slug_changed")
    post_save.connect(
        on_privacy_changed, sender=PageViewRestriction, dispatch_uid="frontend_cache_privacy_saved"
    )
    post_delete.connect(
        on_privacy_changed, sender=PageViewRestriction, dispatch_uid="frontend_cache_privacy_deleted"
    )
    pre_delete.connect(on_page_deleted, dispatch_uid="frontend_cache_page_deleted")
    post_save.connect(on_setting_changed, dispatch_uid="frontend_cache_setting_saved")
    post_delete.connect(on_setting_changed, dispatch_uid="frontend_cache_setting_deleted")
    # The site's hostname and root page decide every URL; an image's file appears in pages.
    for model in (Site, get_image_model()):
        post_save.connect(
            on_site_or_image_changed, sender=model, dispatch_uid=f"frontend_cache_{model.__name__}_saved"
        )
        post_delete.connect(
            on_site_or_image_changed, sender=model, dispatch_uid=f"frontend_cache_{model.__name__}_deleted"
        )
    rating_summary_changed.connect(purge_rated_page, dispatch_uid="frontend_cache_rating_changed")
