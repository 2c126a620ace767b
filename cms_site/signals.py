"""Cross-app wiring: what invalidates the page cache.

Connected in ``CmsSiteConfig.ready``. Each purge happens at once and again
after the transaction commits: a reader whose request renders the old content
between the two cannot keep it cached under the new generation.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms_site import page_cache


def purge_all_now_and_on_commit():
    page_cache.purge_all()
    transaction.on_commit(page_cache.purge_all)


def purge_all_on_commit(**kwargs):
    purge_all_now_and_on_commit()


def purge_if_page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        purge_all_now_and_on_commit()


def purge_if_setting_changed(sender, instance, **kwargs):
    # Site settings (the clinic's contact details) appear in every page's footer.
    if isinstance(instance, BaseSiteSetting | BaseGenericSetting):
        purge_all_now_and_on_commit()


def purge_rated_page(sender, page_id, **kwargs):
    """A rating changed ``page_id``'s summary: retire that page and the listings above it."""
    ancestor_ids = []
    page = Page.objects.filter(pk=page_id).only("path", "depth").first()
    if page is not None:
        ancestor_ids = list(page.get_ancestors().values_list("pk", flat=True))
    page_cache.purge_pages([page_id, *ancestor_ids])


def connect():
    page_published.connect(purge_all_on_commit, dispatch_uid="page_cache_published")
    page_unpublished.connect(purge_all_on_commit, dispatch_uid="page_cache_unpublished")
    post_page_move.connect(purge_all_on_commit, dispatch_uid="page_cache_moved")
    post_delete.connect(purge_if_page_deleted, dispatch_uid="page_cache_page_deleted")
    post_save.connect(purge_if_setting_changed, dispatch_uid="page_cache_setting_saved")
    post_delete.connect(purge_if_setting_changed, dispatch_uid="page_cache_setting_deleted")
    # The site's hostname and root page decide every URL; an image's file appears in pages.
    for model in (Site, get_image_model()):
        post_save.connect(
            purge_all_on_commit, sender=model, dispatch_uid=f"page_cache_{model.__name__}_saved"
        )
        post_delete.connect(
            purge_all_on_commit, sender=model, dispatch_uid=f"page_cache_{model.__name__}_deleted"
        )
    try:
        from treatment_pages.signals import rating_summary_changed
    except ImportError:  # ratings not installed in this build
        return
    rating_summary_changed.connect(purge_rated_page, dispatch_uid="page_cache_rating_changed")
