from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.signals import page_published


class TreatmentPagesConfig(AppConfig):
    name = "treatment_pages"
    verbose_name = _("Treatment articles")
    # Set here, not left to the host's DEFAULT_AUTO_FIELD: the migrations use BigAutoField.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connects the delete signals that keep rating summaries exact, and the webhooks' events.
        from treatment_pages import checks, uninstall  # noqa: F401
        from treatment_pages.api.block_schemas import register_typed_streamfields
        from treatment_pages.caching import purging, warming
        from treatment_pages.caching.policy import connect_signals
        from treatment_pages.ratings import votes as ratings  # noqa: F401
        from treatment_pages.review import seal
        from treatment_pages.webhooks import delivery as webhooks  # noqa: F401

        # Before Wagtail's v3 API builds its page schemas (see the function's docstring).
        register_typed_streamfields()
        # Cached navigation and breadcrumb fragments are retired when pages change.
        connect_signals()
        # Shared caches are purged on publish, unpublish, move, delete, privacy change, vote
        # and settings change (only where WAGTAILFRONTENDCACHE names a backend).
        purging.connect()
        # An article's publish renders it once for readers (its cached fragments are new).
        page_published.connect(warming.on_page_published, dispatch_uid="treatment_pages_warm_on_publish")
        # Every publish updates the article's review seal (a clinical change suspends it).
        page_published.connect(seal.on_page_published, dispatch_uid="treatment_pages_review_seal")
        # `migrate treatment_pages zero` refuses while treatment pages or ratings exist.
        uninstall.connect(self)
        self.register_api_v3()

    def register_api_v3(self):
        """Add the app's endpoints to Wagtail's v3 API, as ``wagtail.images`` and ``wagtail.snippets`` do.

        A host serves them where it mounts that API (``path("api/v3/", api.urls)`` with
        ``from wagtail.api.v3.urls import api``); one that does not mount it serves none.
        Guarded as an optional integration: where Wagtail's v3 API or django-ninja cannot be
        imported, the app works without its API endpoints.
        """
        try:
            from wagtail.api.v3.api import api
        except ImportError:
            return
        from treatment_pages.api import routers as endpoints

        endpoints.register(api)
