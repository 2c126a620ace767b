"""The review seal: a clinical review vouches only for the text the clinician signed.

Every check looks at the three public answers together: the HTML byline, the JSON-LD and the
v3 API's page detail, which must agree on whether the article is reviewed.
"""

import copy
import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from tests.factories import UserFactory
from treatment_pages.models import ArticleChangeNote, TreatmentPage
from treatment_pages.review import service as review


@pytest.fixture
def reviewer(demo_site):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="jane.doe")


@pytest.fixture
def editor(demo_site):
    return UserFactory(username="seal-editor", first_name="Eddie", last_name="Editor", is_superuser=True)


@pytest.fixture
def laser(demo_site):
    return TreatmentPage.objects.get(slug="laser-hair-removal")


def public_answers(client, page):
    """(byline text, MedicalWebPage JSON-LD, v3 page detail) for the live article."""
    page.refresh_from_db()
    response = client.get(page.url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    byline = soup.select_one(".review-byline")
    scripts = [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]
    json_ld = next(data for data in scripts if data["@type"] == "MedicalWebPage")
    api = client.get(f"/api/v3/pages/{page.pk}/")
    assert api.status_code == 200
    return " ".join(byline.get_text().split()) if byline else "", json_ld, api.json()


def assert_reviewed(client, page, on):
    byline, json_ld, api = public_answers(client, page)
    assert f"Medically reviewed by Dr Jane Doe, MD, FAAD, on {on:%-d %B %Y}" in byline
    assert "Clinical review pending" not in byline
    assert json_ld["lastReviewed"] == on.isoformat()
    assert json_ld["reviewedBy"]["name"] == "Dr Jane Doe"
    assert api["review_status"] == "reviewed"
    assert api["last_reviewed"] == on.isoformat()
    assert api["medical_reviewer"]["name"] == "Dr Jane Doe"


def assert_pending(client, page):
    byline, json_ld, api = public_answers(client, page)
    assert "Clinical review pending" in byline
    assert "Medically reviewed by" not in byline
    assert "lastReviewed" not in json_ld and "reviewedBy" not in json_ld
    assert api["review_status"] == "pending"
    assert api["last_reviewed"] is None and api["medical_reviewer"] is None


def edit_a_step(page, text="Drink plenty of water every day"):
    """A clinical change: the first prevention step says something else."""
    draft = page.get_latest_revision_as_object()
    steps = next(block for block in draft.body if block.block_type == "prevention_steps")
    steps.value["steps"][0]["text"] = text
    return draft


def publish(draft, user, note="", non_clinical=False):
    draft.change_note, draft.change_is_non_clinical = note, non_clinical
    draft.save_revision(user=user).publish(user=user)
    return TreatmentPage.objects.get(pk=draft.pk)


def approve(client, page, reviewer, note):
    """Submit the article to the demo's "Clinical sign-off" and approve it with a public note."""
    submitter = UserFactory(username=f"submitter-{page.pk}-{timezone.now().timestamp()}", is_superuser=True)
    page.save_revision(user=submitter)
    state = page.get_workflow().start(page, submitter)
    client.force_login(reviewer)
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.current_task_state.pk]
    )
    response = client.post(url, {"approval-change_note": note, "approval-comment": "private to staff"})
    assert response.status_code in (200, 302)
    client.logout()


def queue_reasons(page):
    page = review.articles().get(pk=page.pk)
    return [reason.code for reason in review.reasons_for(page)]


def sign_off(client, page, reviewer):
    approve(client, page, reviewer, "Checked against the 2026 guidance.")
    return timezone.localdate()


def test_sign_off_then_a_clinical_change_drops_the_seal_everywhere_and_queues_the_article(
    client, mesotherapy, reviewer, editor
):
    signed_on = sign_off(client, mesotherapy, reviewer)
    assert_reviewed(client, mesotherapy, signed_on)
    assert review.CHANGED_SINCE_REVIEW not in queue_reasons(mesotherapy)

    publish(edit_a_step(mesotherapy), editor, note="Added advice on drinking water.")

    assert_pending(client, mesotherapy)
    assert review.CHANGED_SINCE_REVIEW in queue_reasons(mesotherapy)
    client.force_login(editor)
    # The note belonged to that publish: the next edit starts with an empty one.
    edit = BeautifulSoup(
        client.get(reverse("wagtailadmin_pages:edit", args=[mesotherapy.pk])).content, "html.parser"
    )
    assert edit.select_one("input[name=change_note]").get("value", "") == ""
    dashboard = BeautifulSoup(client.get(reverse("wagtailadmin_home")).content, "html.parser")
    assert dashboard.select_one("[data-review-changed]").get_text(strip=True) == "Mesotherapy"
    client.logout()
    queued = review.review_queue().filter(review.status_q(review.CHANGED_SINCE_REVIEW))
    assert list(queued.values_list("title", flat=True)) == ["Mesotherapy"]
    # The public page history lists the change with its note.
    soup = BeautifulSoup(client.get(mesotherapy.url).content, "html.parser")
    history = soup.select_one("details.page-history").get_text(" ", strip=True)
    assert "Added advice on drinking water." in history
    assert "Checked against the 2026 guidance." in history


def test_a_non_clinical_change_keeps_the_seal_and_records_who_and_when(client, mesotherapy, reviewer, editor):
    signed_on = sign_off(client, mesotherapy, reviewer)
    draft = mesotherapy.get_latest_revision_as_object()
    draft.intro = "  ".join(draft.intro.split(" ", 1))  # a double space: formatting only

    publish(draft, editor, note="Fixed a typo.", non_clinical=True)

    assert_reviewed(client, mesotherapy, signed_on)
    assert review.CHANGED_SINCE_REVIEW not in queue_reasons(mesotherapy)
    entry = ArticleChangeNote.objects.filter(page=mesotherapy).first()
    assert entry.kind == ArticleChangeNote.NON_CLINICAL_CHANGE
    assert entry.user == editor and entry.note == "Fixed a typo."
    assert timezone.now() - entry.created_at < datetime.timedelta(minutes=1)
    # In Wagtail's page history, with the editor's name...
    log = PageLogEntry.objects.filter(page=mesotherapy, action="treatment_pages.non_clinical_change").get()
    assert log.user == editor
    client.force_login(editor)
    history = client.get(reverse("wagtailadmin_pages:history", args=[mesotherapy.pk]))
    assert history.status_code == 200
    assert "Marked a change non-clinical (review seal kept)" in history.content.decode()
    # ...and on the reviewer's edit screen.
    client.force_login(reviewer)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[mesotherapy.pk]))
    assert edit.status_code == 200
    panel = BeautifulSoup(edit.content, "html.parser").select_one("[data-review-changes]")
    text = " ".join(panel.get_text(" ").split())
    assert "marked non-clinical by Eddie Editor" in text and "Fixed a typo." in text


def test_republishing_moving_and_renaming_keep_the_seal(client, mesotherapy, reviewer, editor):
    signed_on = sign_off(client, mesotherapy, reviewer)

    # Republish unchanged; then a new slug and SEO title; then move under another index.
    publish(mesotherapy.get_latest_revision_as_object(), editor)
    draft = mesotherapy.get_latest_revision_as_object()
    draft.slug, draft.seo_title = "mesotherapy-injections", "Mesotherapy injections explained"
    page = publish(draft, editor)
    other_index = page.get_parent().specific.copy(
        update_attrs={"slug": "more-treatments", "title": "More treatments"}, recursive=False
    )
    page.move(other_index, pos="last-child", user=editor)

    page = TreatmentPage.objects.get(pk=mesotherapy.pk)
    assert page.url.startswith("/more-treatments/mesotherapy-injections")
    assert_reviewed(client, page, signed_on)
    assert review.CHANGED_SINCE_REVIEW not in queue_reasons(page)
    assert not ArticleChangeNote.objects.filter(page=page).exclude(kind=ArticleChangeNote.REVIEWED).exists()


def test_what_the_admin_writes_by_itself_on_save_is_no_change(db):
    """The same text as code and imports write it, and as a publish through the admin stores it."""
    from treatment_pages.review.seal import content_fingerprint

    FORM_PAGE_ID = 5
    as_code_writes_it = [
        {"type": "paragraph", "value": "<p>Side effects pass within days [1].</p>"},
        {"type": "facts_list", "value": {"title": "Side effects", "items": ["Bruises", "Redness"]}},
        # Stored before "show_form" existed.
        {"type": "next_steps", "value": {"heading": "Next steps", "text": "Book.", "page": FORM_PAGE_ID}},
    ]
    as_the_admin_writes_it = [
        {
            "type": "paragraph",
            "value": '<p data-block-key="x7k2p">Side effects pass within days [1].</p>',
            "id": "a",
        },
        {
            "type": "facts_list",
            "value": {
                "title": "Side effects",
                "items": [
                    {"type": "item", "value": "Bruises", "id": "b"},
                    {"type": "item", "value": "Redness", "id": "c"},
                ],
            },
            "id": "d",
        },
        {
            "type": "next_steps",
            "value": {
                "heading": "Next steps",
                "text": "Book.",
                "page": FORM_PAGE_ID,
                "link_text": "Request an appointment",
                "show_form": False,
            },
            "id": "e",
        },
    ]
    written_by_code = TreatmentPage(title="Rosacea", intro="Redness.", body=as_code_writes_it)
    saved_by_the_admin = TreatmentPage(title="Rosacea", intro="Redness.", body=as_the_admin_writes_it)
    assert content_fingerprint(written_by_code, references=[]) == content_fingerprint(
        saved_by_the_admin, references=[]
    )

    # What a reader sees still counts: a list item, a paragraph, a choice made.
    for path, changed in (
        ((1, "value", "items", 1, "value"), "Redness and swelling"),
        ((0, "value"), '<p data-block-key="x7k2p">Side effects pass within hours [1].</p>'),
        ((2, "value", "show_form"), True),
    ):
        body = copy.deepcopy(as_the_admin_writes_it)
        *parents, last = path
        target = body
        for key in parents:
            target = target[key]
        target[last] = changed
        edited = TreatmentPage(title="Rosacea", intro="Redness.", body=body)
        assert content_fingerprint(edited, references=[]) != content_fingerprint(
            written_by_code, references=[]
        )


def test_re_approval_restores_the_seal_with_a_new_date_and_note(client, mesotherapy, reviewer, editor):
    sign_off(client, mesotherapy, reviewer)
    page = publish(edit_a_step(mesotherapy), editor, note="Added advice on drinking water.")
    assert_pending(client, page)

    approve(client, page, reviewer, "Reviewed the new advice on water.")

    assert_reviewed(client, page, timezone.localdate())
    assert review.CHANGED_SINCE_REVIEW not in queue_reasons(page)
    latest = ArticleChangeNote.objects.filter(page=page).first()
    assert latest.kind == ArticleChangeNote.REVIEWED and latest.note == "Reviewed the new advice on water."
    byline, _json_ld, api = public_answers(client, page)
    assert "Reviewed the new advice on water." in byline
    assert api["page_history"][0] == {
        "date": timezone.localdate().isoformat(),
        "kind": "reviewed",
        "note": "Reviewed the new advice on water.",
    }


def test_a_typed_review_date_is_not_a_review(client, laser, editor):
    """Only a clinician's sign-off seals: an editor typing a date vouches for nothing."""
    draft = laser.get_latest_revision_as_object()
    draft.last_reviewed = timezone.localdate()
    page = publish(draft, editor)

    byline, json_ld, api = public_answers(client, page)
    assert "Medically reviewed" not in byline
    assert "lastReviewed" not in json_ld
    assert api["review_status"] == "not_reviewed" and api["last_reviewed"] is None
    assert review.NOT_REVIEWED in queue_reasons(page)


def test_the_reviewer_gets_a_comparison_of_the_signed_text_with_the_draft(
    client, mesotherapy, reviewer, editor
):
    sign_off(client, mesotherapy, reviewer)
    draft = edit_a_step(mesotherapy)
    step = next(block for block in draft.body if block.block_type == "prevention_steps").value["steps"][0]
    step["sub_points"] = [*step["sub_points"], "Drink a glass of water with every meal."]
    page = publish(draft, editor, note="Added advice on drinking water.")

    client.force_login(reviewer)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert edit.status_code == 200
    link = BeautifulSoup(edit.content, "html.parser").select_one("a[data-review-compare]")
    compare = client.get(link["href"])
    assert compare.status_code == 200
    text = " ".join(BeautifulSoup(compare.content, "html.parser").get_text(" ").split())
    assert "Drink plenty of water every day" in text and "Watch your diet" in text
    # Sub-points as the lines an editor typed, not a Python list.
    assert "Drink a glass of water with every meal." in text and "Choose wholegrain bread" in text
    assert "['" not in text and "']" not in text


@pytest.mark.parametrize("enabled", [False, True])
def test_aggregate_rating_is_in_the_json_ld_only_when_the_setting_says_so(
    client, settings, mesotherapy, enabled
):
    from treatment_pages.ratings.votes import cast_vote

    settings.TREATMENT_PAGES_JSON_LD_AGGREGATE_RATING = enabled
    cast_vote(mesotherapy, "a" * 64, 4)

    _byline, json_ld, _api = public_answers(client, mesotherapy)

    assert ("aggregateRating" in json_ld) is enabled
