from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api as api_v3
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms_site import views
from cms_site.api import api_router
from cms_site.api_contract import openapi_document_view
from treatment_pages import views as treatment_views
from treatment_pages.articles.seo import FrontendSitemap

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    # Before the API's own URLs: the same document, made valid and truthful (cms_site.api_contract).
    path("api/v3/openapi.json", openapi_document_view(api_v3), name="openapi_document"),
    # Wagtail's v3 API, with the routers its apps and ours add from their ready().
    path("api/v3/", api_v3.urls),
    path("search/", treatment_views.search, name="search"),
    path("", include("treatment_pages.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": FrontendSitemap}}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it answers every path not matched above.
urlpatterns += [path("", include(wagtail_urls))]
