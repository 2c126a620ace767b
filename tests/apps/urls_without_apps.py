"""A host URLconf that forgot ``include("treatment_pages.urls")``."""

from django.urls import include, path
from wagtail import urls as wagtail_urls

urlpatterns = [path("", include(wagtail_urls))]
