"""Readability and citations for editors, in the minimal host: English scored by Flesch-Kincaid,
Spanish by Fernández Huerta (chosen by the page's locale), sentences ranked by what they do to
the article, a live score while typing, and a citation without its reference stopping publishing."""

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from tests.factories import TreatmentIndexPageFactory, TreatmentPageFactory, UserFactory
from treatment_pages.models import ArticleReference, TreatmentPage
from treatment_pages.review.readability import (
    FERNANDEZ_HUERTA,
    count_syllables_es,
    page_readability,
    score_text_chunks,
)

# --- Spanish: Fernández Huerta ---------------------------------------------------------------

# Syllabified by hand: La(1) ro-sá-ce-a(4) es(1) u-na(2) en-fer-me-dad(4) de(1) la(1) piel(1) = 15
# syllables in 8 words; Sue-le(2) a-fec-tar(3) a(1) la(1) ca-ra(2) = 9 in 5 words.
SPANISH_REFERENCE_TEXT = "La rosácea es una enfermedad de la piel. Suele afectar a la cara."
# 206.84 − 60 × 24/13 − 1.02 × 13/2 = 206.84 − 110.77 − 6.63 = 89.44
SPANISH_REFERENCE_EASE = 89.4


def test_spanish_syllables_follow_diphthongs_and_hiatus():
    words = [
        "rosácea",
        "enfermedad",
        "piel",
        "suele",
        "día",
        "cuidado",
        "aéreo",
        "que",
        "pingüino",
        "hoy",
        "y",
    ]
    assert [count_syllables_es(word) for word in words] == [4, 4, 1, 2, 2, 3, 4, 1, 3, 1, 1]


def test_fernandez_huerta_of_a_reference_text():
    result = score_text_chunks([SPANISH_REFERENCE_TEXT], formula=FERNANDEZ_HUERTA, target=60)

    assert (result.words, result.sentences) == (13, 2)
    assert result.score == SPANISH_REFERENCE_EASE
    assert not result.harder_than_target


def test_a_hard_spanish_sentence_reads_below_the_target_ease():
    result = score_text_chunks(
        [
            "La mesoterapia administra preparaciones farmacológicas individualizadas intradérmicamente, "
            "mejorando potencialmente la adiposidad localizada y la laxitud cutánea."
        ],
        formula=FERNANDEZ_HUERTA,
        target=60,
    )

    assert result.score < 30
    assert result.harder_than_target


def test_spanish_questions_open_their_own_sentence():
    result = score_text_chunks(["¿Es contagiosa? No. ¡Nunca se contagia!"], formula=FERNANDEZ_HUERTA)

    assert result.sentences == 3


@pytest.fixture
def index(host_home):
    return TreatmentIndexPageFactory(parent=host_home, slug="treatments")


def test_a_page_in_a_spanish_locale_is_scored_with_fernandez_huerta(index):
    spanish = Locale.objects.create(language_code="es")
    page = TreatmentPage(title="Rosácea", intro=SPANISH_REFERENCE_TEXT, body=[], locale=spanish)

    readability = page_readability(page)

    assert readability.formula_code == "fernandez_huerta"
    assert readability.score == SPANISH_REFERENCE_EASE
    assert page_readability(TreatmentPage(intro="The cat sat on the mat.", body=[])).formula_code == (
        "flesch_kincaid_grade"
    )


# --- Sentences ranked fairly ---------------------------------------------------------------------


def test_a_short_question_is_not_the_hardest_sentence():
    result = score_text_chunks(
        [
            "Is rosacea contagious?",
            "No. You cannot catch it from someone else.",
            "When your face often goes red and stays red for a long time, with small lines of blood "
            "vessels that you can see on your cheeks and nose, it is worth talking to your doctor.",
            "It is common in adults.",
        ],
        target=3,
    )

    long_sentence, question = result.hardest[:2]
    assert long_sentence.text.startswith("When your face often goes red")
    assert question.text == "Is rosacea contagious?"
    # The question's own grade is the higher (one long word in three), but it is 3 words of 50.
    assert question.score > long_sentence.score


# --- The live score, as the editor types -----------------------------------------------------------


@pytest.fixture
def editor(client, db):
    client.force_login(UserFactory(username="editor", is_superuser=True, is_staff=True))
    return client


def article_form(title="Rosacea", intro="", body=(), references=(), change_note=""):
    return nested_form_data(
        {
            "title": title,
            "change_note": change_note,
            "slug": "rosacea",
            "intro": intro,
            "hero_image": "",
            "hero_image_alt": "",
            "references": inline_formset(
                [
                    {"title": title, "publisher": "", "year": "", "url": "https://example.org/", "doi": ""}
                    for title in references
                ]
            ),
            "body": streamfield(list(body)),
        }
    )


def test_a_new_page_shows_no_grade_until_there_is_text_then_scores_what_is_typed(editor, index):
    url = reverse("treatment_pages_readability_create", args=["treatment_pages.treatmentpage", index.pk])

    empty = editor.post(url, article_form())

    assert empty.status_code == 200
    assert "Nothing to score yet" in empty.content.decode()
    assert "grade 0.0" not in empty.content.decode()

    typed = editor.post(
        url,
        article_form(
            intro="The cat sat on the mat.",
            body=[("paragraph", rich_text("<p>We had fun [2]. It is a good day.</p>"))],
            references=["Cats"],
        ),
    )

    assert typed.status_code == 200
    html = typed.content.decode()
    assert "Reading grade" in html and "3 sentences" in html
    assert "match no reference" in html and "[2]" in html
    assert not TreatmentPage.objects.exists()


def test_the_edit_form_is_scored_as_typed_without_saving(editor, index):
    page = TreatmentPageFactory(parent=index, slug="rosacea", intro="Short.", body=[])
    url = reverse("treatment_pages_readability_edit", args=[page.pk])
    hard = (
        "Mesotherapy administers individualised pharmacological preparations intradermally, "
        "potentially ameliorating localised adiposity and cutaneous laxity."
    )

    response = editor.post(url, article_form(intro=hard))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Reading grade 37.6 (Flesch-Kincaid)" in html
    assert 'data-readability-harder="true"' in html
    page.refresh_from_db()
    assert page.intro == "Short." and not page.revisions.exists()


def test_the_live_score_needs_permission_to_edit_the_page(client, index):
    page = TreatmentPageFactory(parent=index, slug="rosacea", body=[])
    client.force_login(UserFactory(username="visitor", is_superuser=False, is_staff=False))

    response = client.post(reverse("treatment_pages_readability_edit", args=[page.pk]), article_form())

    assert response.status_code in (302, 403)
    assert b"Reading grade" not in response.content


# --- A citation without its reference blocks publishing ---------------------------------------------


def test_a_citation_without_its_reference_blocks_publishing_with_the_error_at_the_block(editor, index):
    page = TreatmentPageFactory(parent=index, slug="rosacea", title="Rosacea", intro="Redness.", body=[])
    page.save_revision().publish()
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = article_form(
        intro="Rosacea is common.",
        body=[
            ("paragraph", rich_text("<p>It is not catching [1].</p>")),
            ("paragraph", rich_text("<p>Creams help [2].</p>")),
        ],
        references=["Rosacea guideline"],
    )

    response = editor.post(edit_url, {**data, "action-publish": "action-publish"})

    assert response.status_code == 200
    body_error = response.context["form"].errors["body"].as_data()[0]
    assert list(body_error.block_errors) == [1]  # the second paragraph, the one citing [2]
    assert "[2] matches no reference (this article has 1)" in body_error.block_errors[1].messages[0]
    page.refresh_from_db()
    assert page.intro == "Redness." and not page.has_unpublished_changes

    # A draft still saves: the editor may write the sentence before adding its source.
    draft = editor.post(edit_url, data)
    assert draft.status_code == 302
    page.refresh_from_db()
    assert page.has_unpublished_changes and page.intro == "Redness."

    # With the second reference, it publishes.
    data = article_form(
        intro="Rosacea is common.",
        body=[("paragraph", rich_text("<p>Creams help [2].</p>"))],
        references=["Rosacea guideline", "Creams review"],
        change_note="Added what helps.",
    )
    published = editor.post(edit_url, {**data, "action-publish": "action-publish"})
    assert published.status_code == 302
    page.refresh_from_db()
    assert page.intro == "Rosacea is common." and ArticleReference.objects.filter(page=page).count() == 2


def test_a_citation_in_the_intro_without_its_reference_is_an_error_at_the_intro(editor, index):
    page = TreatmentPageFactory(parent=index, slug="rosacea", body=[])
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])

    response = editor.post(
        edit_url,
        {**article_form(intro="Rosacea is common [1].", body=[]), "action-publish": "action-publish"},
    )

    assert response.status_code == 200
    assert "[1] matches no reference (this article has 0)" in response.context["form"].errors["intro"][0]


# --- A clinical change says what changed ---------------------------------------------------------


@pytest.fixture
def live_rosacea(index):
    page = TreatmentPageFactory(
        parent=index,
        slug="rosacea",
        title="Rosacea",
        intro="Redness.",
        body=[("paragraph", RichText("<p>It is not catching.</p>"))],
    )
    page.save_revision().publish()
    return page


def test_publishing_a_clinical_change_without_a_note_is_refused_at_the_note_and_keeps_the_text(
    editor, live_rosacea
):
    edit_url = reverse("wagtailadmin_pages:edit", args=[live_rosacea.pk])
    changed = article_form(
        intro="Redness that comes and goes.", body=[("paragraph", rich_text("<p>It is not catching.</p>"))]
    )

    response = editor.post(edit_url, {**changed, "action-publish": "action-publish"})

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["change_note"]
    assert "say in a sentence what changed for readers" in form.errors["change_note"][0]
    assert form["intro"].value() == "Redness that comes and goes."  # what was typed is kept
    live_rosacea.refresh_from_db()
    assert live_rosacea.intro == "Redness."  # nothing published

    noted = {**changed, "change_note": "Said that redness comes and goes."}
    assert editor.post(edit_url, {**noted, "action-publish": "action-publish"}).status_code == 302
    live_rosacea.refresh_from_db()
    assert live_rosacea.intro == "Redness that comes and goes."
    assert [note.note for note in live_rosacea.change_notes.all()] == ["Said that redness comes and goes."]


def test_no_note_is_needed_for_a_draft_a_non_clinical_change_or_unchanged_text(editor, live_rosacea):
    edit_url = reverse("wagtailadmin_pages:edit", args=[live_rosacea.pk])
    body = [("paragraph", rich_text("<p>It is not catching.</p>"))]

    # The same text as the factory wrote it, sent as the admin sends it: no change.
    unchanged = article_form(intro="Redness.", body=body)
    assert editor.post(edit_url, {**unchanged, "action-publish": "action-publish"}).status_code == 302

    typo = article_form(intro="Redness!", body=body)
    assert editor.post(edit_url, typo).status_code == 302  # a draft
    non_clinical = {**typo, "change_is_non_clinical": "on"}
    assert editor.post(edit_url, {**non_clinical, "action-publish": "action-publish"}).status_code == 302
    live_rosacea.refresh_from_db()
    assert live_rosacea.intro == "Redness!"
