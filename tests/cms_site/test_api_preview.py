"""Editors preview a draft article on the front end when one is configured, in Wagtail otherwise."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from tests.factories import TreatmentPageFactory, UserFactory, api_token_for

FRONT_END = "https://front.clinic.example/preview"


@pytest.fixture
def editor_client(client, db):
    client.force_login(UserFactory(username="editor", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def article(treatment_index):
    return TreatmentPageFactory(
        parent=treatment_index,
        title="Microneedling",
        slug="microneedling",
        body=[{"type": "heading", "value": {"text": "How it works", "level": "h2"}}],
    )


def preview_draft(client, article, title):
    """Post the edit form's current (unsaved) content to the preview view, as the editor's panel does."""
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[article.pk])
    data = nested_form_data(
        {
            "title": title,
            "slug": article.slug,
            "intro": article.intro,
            "hero_image_alt": "",
            "body": streamfield([("heading", {"text": "Draft heading", "level": "h2"})]),
            "last_reviewed": "",
            "references": inline_formset([]),
        }
    )
    posted = client.post(url, data)
    assert posted.status_code == 200
    assert posted.json()["is_valid"] is True
    return client.get(url)


def test_without_a_front_end_the_draft_previews_in_wagtail(editor_client, settings, article):
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {}}

    response = preview_draft(editor_client, article, "Microneedling (draft)")

    html = response.content.decode()
    assert "<h1" in html and "Microneedling (draft)" in html
    assert "Draft heading" in html
    assert FRONT_END not in html


def test_with_a_front_end_the_preview_shows_its_url_and_the_api_serves_the_draft(
    editor_client, client, settings, article
):
    settings.WAGTAIL_HEADLESS_PREVIEW = {
        "CLIENT_URLS": {"default": FRONT_END},
        "ENFORCE_TRAILING_SLASH": False,
    }

    response = preview_draft(editor_client, article, "Microneedling (draft)")

    html = unescape(response.content.decode())
    match = re.search(re.escape(FRONT_END) + r"\?[^\"'\s]+", html)
    assert match, html[:500]
    # What the front end reads from its own query string.
    query = parse_qs(urlsplit(match.group(0)).query)
    content_type, token = query["content_type"][0], query["token"][0]
    assert content_type == "treatment_pages.treatmentpage"

    editor_client.logout()
    draft = client.get("/api/v2/page_preview/", {"content_type": content_type, "token": token})
    assert draft.status_code == 200
    assert draft.json()["title"] == "Microneedling (draft)"
    assert draft.json()["body"][0]["value"]["text"] == "Draft heading"
    # The live page is unchanged, and a forged token reads nothing.
    assert client.get(f"/api/v2/pages/{article.pk}/").json()["title"] == "Microneedling"
    forged = client.get("/api/v2/page_preview/", {"content_type": content_type, "token": token[:-2] + "xx"})
    assert forged.status_code == 404


def front_end_preview_query(response):
    """``(content_type, token)`` from the front-end URL the preview panel shows."""
    match = re.search(re.escape(FRONT_END) + r"\?[^\"'\s]+", unescape(response.content.decode()))
    assert match
    query = parse_qs(urlsplit(match.group(0)).query)
    return query["content_type"][0], query["token"][0]


@pytest.fixture
def front_end_preview(settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {
        "CLIENT_URLS": {"default": FRONT_END},
        "ENFORCE_TRAILING_SLASH": False,
    }


def test_v3_serves_drafts_of_articles_with_their_typed_body(
    editor_client, client, front_end_preview, article
):
    content_type, token = front_end_preview_query(
        preview_draft(editor_client, article, "Microneedling (draft)")
    )
    editor_client.logout()

    draft = client.get("/api/v3/preview/", {"content_type": content_type, "token": token})

    assert draft.status_code == 200
    assert draft.json()["meta"]["type"] == "treatment_pages.TreatmentPage"
    assert draft.json()["title"] == "Microneedling (draft)"
    assert draft.json()["body"][0] == {**draft.json()["body"][0], "type": "heading"}
    assert (
        client.get("/api/v3/preview/", {"content_type": content_type, "token": token + "x"}).status_code
        == 404
    )


def test_v3_serves_drafts_of_other_page_types_too(editor_client, client, front_end_preview, treatment_index):
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[treatment_index.pk])
    posted = editor_client.post(
        url,
        {
            "title": "Our treatments (draft)",
            "slug": treatment_index.slug,
            "intro": rich_text("<p>Draft intro</p>"),
        },
    )
    assert posted.json()["is_valid"] is True
    content_type, token = front_end_preview_query(editor_client.get(url))

    draft = client.get("/api/v3/preview/", {"content_type": content_type, "token": token})

    assert draft.status_code == 200
    assert draft.json()["meta"]["type"] == "treatment_pages.TreatmentIndexPage"
    assert draft.json()["title"] == "Our treatments (draft)"


def test_v3_serves_drafts_of_appointment_form_pages_too(client, front_end_preview, demo_site, rf):
    from lead_forms.models import AppointmentFormPage

    form_page = AppointmentFormPage.objects.get()
    form_page.title = "Book a visit (draft)"
    request = rf.get("/")
    preview = form_page.serve_preview(request, form_page.default_preview_mode)
    content_type, token = front_end_preview_query(preview)

    draft = client.get("/api/v3/preview/", {"content_type": content_type, "token": token})

    assert draft.status_code == 200
    assert draft.json()["meta"]["type"] == "lead_forms.AppointmentFormPage"
    assert draft.json()["title"] == "Book a visit (draft)"


def cache_directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_v3_preview_is_private_and_no_store(editor_client, client, front_end_preview, article):
    content_type, token = front_end_preview_query(
        preview_draft(editor_client, article, "Microneedling (draft)")
    )
    editor_client.logout()

    draft = client.get("/api/v3/preview/", {"content_type": content_type, "token": token})

    assert draft.status_code == 200
    assert {"private", "no-store"} <= cache_directives(draft)
    assert "public" not in cache_directives(draft)


def test_v3_preview_link_expires_after_a_day(editor_client, client, front_end_preview, article, monkeypatch):
    import time

    content_type, token = front_end_preview_query(
        preview_draft(editor_client, article, "Microneedling (draft)")
    )
    editor_client.logout()
    real_time = time.time

    monkeypatch.setattr(time, "time", lambda: real_time() + 23 * 60 * 60)
    assert client.get("/api/v3/preview/", {"content_type": content_type, "token": token}).status_code == 200
    monkeypatch.setattr(time, "time", lambda: real_time() + 25 * 60 * 60)
    expired = client.get("/api/v3/preview/", {"content_type": content_type, "token": token})

    assert expired.status_code == 403
    assert expired["Content-Type"] == "application/problem+json"
    assert expired.json()["title"] == "Preview expired"
    assert "no-store" in cache_directives(expired)


def test_v2_preview_follows_the_same_rules_private_and_expiring(
    editor_client, client, front_end_preview, article, monkeypatch
):
    import time

    content_type, token = front_end_preview_query(
        preview_draft(editor_client, article, "Microneedling (draft)")
    )
    editor_client.logout()
    query = {"content_type": content_type, "token": token}

    fresh = client.get("/api/v2/page_preview/", query)
    assert fresh.status_code == 200
    assert fresh.json()["title"] == "Microneedling (draft)"
    assert {"private", "no-store"} <= cache_directives(fresh)

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 25 * 60 * 60)
    expired = client.get("/api/v2/page_preview/", query)

    assert expired.status_code == 403
    assert "Preview expired" in expired.json()["detail"]
    assert "Microneedling (draft)" not in expired.content.decode()


def test_v3_preview_token_is_single_purpose(
    editor_client, client, front_end_preview, article, treatment_index
):
    content_type, token = front_end_preview_query(
        preview_draft(editor_client, article, "Microneedling (draft)")
    )
    editor_client.logout()

    # Not a draft of another page type, ...
    other_type = client.get(
        "/api/v3/preview/", {"content_type": "treatment_pages.treatmentindexpage", "token": token}
    )
    # ... not a bearer token for ?version=draft, ...
    as_bearer = client.get(f"/api/v3/pages/{article.pk}/?version=draft", HTTP_AUTHORIZATION=f"Bearer {token}")
    # ... and no other signed token of the site is a preview token.
    voted = client.post(
        f"/api/v3/ratings/{article.pk}/votes/", {"score": 4}, content_type="application/json"
    ).json()["voter_token"]
    voter_as_preview = client.get("/api/v3/preview/", {"content_type": content_type, "token": voted})

    assert other_type.status_code == 404
    assert as_bearer.status_code == 401
    assert "Microneedling (draft)" not in as_bearer.content.decode()
    assert voter_as_preview.status_code == 404


@pytest.fixture
def article_with_draft(article):
    article.title = "Microneedling (unpublished draft)"
    article.save_revision()
    return article


def test_version_draft_without_a_valid_token_is_a_401_problem_not_the_live_page(client, article_with_draft):
    editor = UserFactory(username="token-editor", is_staff=True, is_superuser=True)
    revoked, revoked_key = api_token_for(editor, name="revoked")
    revoked.delete()
    urls = [
        f"/api/v3/pages/{article_with_draft.pk}/?version=draft",
        "/api/v3/pages/find/?html_path=/treatments/microneedling/&version=draft",
    ]

    for url in urls:
        for headers in (
            {},
            {"HTTP_AUTHORIZATION": f"Bearer {revoked_key}"},
            {"HTTP_AUTHORIZATION": "Bearer x"},
        ):
            response = client.get(url, **headers)
            assert response.status_code == 401, (url, headers)
            assert response["Content-Type"] == "application/problem+json"
            assert "no-store" in cache_directives(response)
            assert b"Microneedling" not in response.content
    # The live page is still public.
    live = client.get(f"/api/v3/pages/{article_with_draft.pk}/")
    assert live.status_code == 200 and live.json()["title"] == "Microneedling"


def test_version_draft_with_an_editors_token_is_the_draft_private_and_no_store(client, article_with_draft):
    _token, key = api_token_for(UserFactory(username="token-editor", is_staff=True, is_superuser=True))

    draft = client.get(
        f"/api/v3/pages/{article_with_draft.pk}/?version=draft", HTTP_AUTHORIZATION=f"Bearer {key}"
    )

    assert draft.status_code == 200
    assert draft.json()["title"] == "Microneedling (unpublished draft)"
    assert {"private", "no-store"} <= cache_directives(draft)


def test_version_draft_with_the_token_of_someone_who_may_not_edit_the_page_is_a_403(
    client, article_with_draft
):
    _token, key = api_token_for(UserFactory(username="coordinator", is_staff=True))

    refused = client.get(
        f"/api/v3/pages/{article_with_draft.pk}/?version=draft", HTTP_AUTHORIZATION=f"Bearer {key}"
    )

    # Wagtail's queryset hides the page from a token user without page permissions (404);
    # one who reaches it but may not edit it gets the contract layer's 403.
    assert refused.status_code in {403, 404}
    assert refused["Content-Type"] == "application/problem+json"
    assert b"unpublished draft" not in refused.content
