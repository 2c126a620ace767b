"""M5 sign-off: making a page private purges it from the in-app page cache at once.

The audit found the full article a cache HIT for up to PAGE_CACHE_SECONDS after a password
was set. These tests go through the reference site's in-app cache (cms_site.page_cache), as
a reader would: a cached article, then a privacy change saved by an editor.
"""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def cached(client, page):
    """The article as readers get it, read twice so that the second answer comes from the cache."""
    client.get(page.url)
    response = client.get(page.url)
    assert response.status_code == 200
    assert response["X-Cache"] == "HIT"
    return response


@pytest.mark.parametrize(
    "restriction",
    [
        {"restriction_type": PageViewRestriction.PASSWORD, "password": "clinic"},
        {"restriction_type": PageViewRestriction.LOGIN},
        {"restriction_type": PageViewRestriction.GROUPS},
    ],
    ids=["password", "login", "groups"],
)
def test_a_cached_article_made_private_is_not_served_from_the_cache_again(
    client, mesotherapy, django_capture_on_commit_callbacks, restriction
):
    article_text = mesotherapy.intro
    assert article_text and article_text in cached(client, mesotherapy).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        made_private = PageViewRestriction.objects.create(page=mesotherapy, **restriction)
        if restriction["restriction_type"] == PageViewRestriction.GROUPS:
            made_private.groups.add(Group.objects.create(name="Clinic staff only"))

    after = client.get(mesotherapy.url)

    assert after.get("X-Cache") != "HIT"
    assert article_text not in after.content.decode()
    assert after.status_code in {200, 302}  # the password form, or the way to sign in
    again = client.get(mesotherapy.url)
    assert again.get("X-Cache") != "HIT" and article_text not in again.content.decode()


def test_making_it_public_again_serves_the_article_fresh(
    client, mesotherapy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=mesotherapy, restriction_type=PageViewRestriction.PASSWORD, password="clinic"
        )
    client.get(mesotherapy.url)

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()

    response = client.get(mesotherapy.url)
    assert response.status_code == 200
    assert mesotherapy.intro in response.content.decode()
