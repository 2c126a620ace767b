"""M5 sign-off: making a page private takes it out of shared caches at once.

The audit found the full article served from a shared cache for up to PAGE_CACHE_SECONDS
after a password was set. A shared cache (Varnish, a CDN) keeps only what the app marks
public, and drops what the app purges: so a privacy change must purge the page and
everything below it, and the restricted page must never be marked public again.
(Through real Varnish: tests/cms_site/test_page_cache_varnish.py.)
"""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from tests.cms_site.conftest import purged_paths

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "restriction",
    [
        {"restriction_type": PageViewRestriction.PASSWORD, "password": "clinic"},
        {"restriction_type": PageViewRestriction.LOGIN},
        {"restriction_type": PageViewRestriction.GROUPS},
    ],
    ids=["password", "login", "groups"],
)
def test_an_article_made_private_is_purged_and_no_longer_public(
    client, purge_recorder, mesotherapy, django_capture_on_commit_callbacks, restriction
):
    article_text = mesotherapy.intro
    public = client.get(mesotherapy.url)
    assert public.status_code == 200 and public["Cache-Control"].startswith("public")

    with django_capture_on_commit_callbacks(execute=True):
        made_private = PageViewRestriction.objects.create(page=mesotherapy, **restriction)
        if restriction["restriction_type"] == PageViewRestriction.GROUPS:
            made_private.groups.add(Group.objects.create(name="Clinic staff only"))

    assert mesotherapy.url in purged_paths(purge_recorder)
    after = client.get(mesotherapy.url)
    assert after.status_code in {200, 302}  # the password form, or the way to sign in
    assert article_text not in after.content.decode()
    assert "public" not in after.get("Cache-Control", "")


def test_making_it_public_again_purges_it_and_serves_the_article(
    client, purge_recorder, mesotherapy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=mesotherapy, restriction_type=PageViewRestriction.PASSWORD, password="clinic"
        )
    client.get(mesotherapy.url)
    purge_recorder.received.clear()

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()

    assert mesotherapy.url in purged_paths(purge_recorder)
    response = client.get(mesotherapy.url)
    assert response.status_code == 200
    assert mesotherapy.intro in response.content.decode()
