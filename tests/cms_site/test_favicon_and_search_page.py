"""The site's icon at /favicon.ico, and the search page's landmarks and breadcrumb."""

import re

import pytest
from django.contrib.staticfiles import finders

from tests.browser import axe_violations, describe_violations

ICO_MAGIC = b"\x00\x00\x01\x00"


@pytest.mark.django_db
def test_favicon_ico_leads_to_a_real_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == ICO_MAGIC


@pytest.mark.django_db
def test_every_page_links_its_icon(client, demo_site, mesotherapy):
    for url in ("/", mesotherapy.url, "/search/"):
        html = client.get(url).content.decode()
        assert re.search(r'<link rel="icon" href="/static/favicon\.ico"', html), url


@pytest.mark.django_db
def test_the_search_page_names_its_two_search_landmarks_apart(client, demo_site):
    response = client.get("/search/", {"q": "mesotherapy"})

    assert response.status_code == 200
    html = response.content.decode()
    forms = re.findall(r"<form[^>]*role=\"search\"[^>]*>", html)
    assert len(forms) == 2
    assert 'aria-label="Site search"' in forms[0]
    assert 'aria-labelledby="search-title"' in forms[1]
    assert '<h1 id="search-title">Search treatments</h1>' in html


@pytest.mark.django_db
def test_the_search_page_has_a_breadcrumb_from_home(client, demo_site):
    html = client.get("/search/").content.decode()

    trail = re.search(r'<nav class="breadcrumb" aria-label="Breadcrumb">(.*?)</nav>', html, re.S).group(1)
    assert re.search(r'<a href="/">Home</a>', trail)
    assert '<a href="/search/" aria-current="page">Search</a>' in trail


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_search_page_passes_axe_and_the_browser_finds_the_icon(live_server, browser_page, demo_site):
    page = browser_page
    icon = page.request.get(live_server.url + "/favicon.ico")
    assert icon.status == 200
    assert icon.body()[:4] == ICO_MAGIC

    page.goto(live_server.url + "/search/?q=mesotherapy")
    page.get_by_role("navigation", name="Breadcrumb").wait_for()
    assert page.get_by_role("search", name="Site search").count() == 1
    assert page.get_by_role("search", name="Search treatments").count() == 1

    landmark_rules = {"landmark-unique", "landmark-no-duplicate-main", "region", "landmark-one-main"}
    every = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
    landmarks = [violation for violation in every if violation["id"] in landmark_rules]
    serious = [violation for violation in every if violation["impact"] in ("serious", "critical")]
    assert landmarks == [], describe_violations(landmarks)
    assert serious == [], describe_violations(serious)
