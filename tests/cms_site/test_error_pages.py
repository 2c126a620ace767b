"""The 404 and 500 pages a reader sees when something is missing or broken (DEBUG off)."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client, override_settings
from django.urls import include, path


def broken_view(request):
    raise RuntimeError("the database fell over")


urlpatterns = [path("broken/", broken_view), path("", include("cms_site.urls"))]


@override_settings(DEBUG=False)
def test_missing_page_shows_the_site_404_with_navigation_and_contact(client, demo_site):
    response = client.get("/treatments/no-such-treatment/")

    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == "Page not found"
    assert soup.title.get_text().startswith("Page not found")
    assert soup.select_one("nav.site-nav a[href='/treatments/']").get_text() == "Treatments"
    assert "Riverside Skin & Wellness Clinic" in soup.select_one("footer").get_text()
    # No canonical link or Open Graph tags claiming the missing URL is a page.
    assert soup.find("link", rel="canonical") is None


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False)
def test_server_error_shows_the_plain_500_page(db):
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == "Something went wrong"
    assert "the database fell over" not in response.content.decode()
