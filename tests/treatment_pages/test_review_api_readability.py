"""Clinical review in the API (v2 and typed v3) and the readability score editors see (only they:
it is not in the public API)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from treatment_pages.review.readability import count_syllables, score_text_chunks

REVIEW_FIELDS = "medical_reviewer,last_reviewed,next_review_due,references,faq"


def test_v2_article_has_reviewer_dates_references_and_faq(client, mesotherapy):
    response = client.get(f"/api/v2/pages/{mesotherapy.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["medical_reviewer"]["display_name"] == "Dr Jane Doe, MD, FAAD"
    assert data["medical_reviewer"]["profile_url"] == "https://riverside-clinic.example/team/jane-doe/"
    assert data["last_reviewed"] == mesotherapy.last_reviewed.isoformat()
    assert data["next_review_due"] == mesotherapy.next_review_due.isoformat()
    assert [ref["number"] for ref in data["references"]] == [1, 2, 3]
    assert data["references"][0]["link"] == "https://doi.org/10.5555/demo.meso.2023.001"
    assert data["faq"][0]["question"] == "Does mesotherapy hurt?"
    assert "readability" not in data


def test_v2_listing_carries_the_review_fields(client, mesotherapy):
    response = client.get(
        "/api/v2/pages/", {"type": "treatment_pages.TreatmentPage", "fields": REVIEW_FIELDS}
    )

    assert response.status_code == 200
    items = {item["meta"]["slug"]: item for item in response.json()["items"]}
    assert items["mesotherapy"]["medical_reviewer"]["name"] == "Dr Jane Doe"
    assert items["laser-hair-removal"]["medical_reviewer"] is None
    assert items["laser-hair-removal"]["references"] == []


def test_v3_article_types_the_review_fields(client, mesotherapy):
    data = client.get(f"/api/v3/pages/{mesotherapy.pk}/").json()

    assert data["medical_reviewer"]["credentials"] == "MD, FAAD"
    assert data["references"][1]["url"] == "https://dermatology-society.example.org/patients/cellulite"

    schema = client.get("/api/v3/openapi.json").json()
    components = schema["components"]["schemas"]
    article = components["TreatmentPageSchema"]["properties"]
    assert article["references"]["anyOf"][0]["items"]["$ref"].endswith("/ReferenceDict")
    assert "readability" not in article and "ReadabilityDict" not in components
    assert components["ClinicianDict"]["properties"]["display_name"]["type"] == "string"
    assert "FAQItemDict" in components


# --- Readability ---------------------------------------------------------------------------


def test_simple_sentences_score_low_and_long_ones_high():
    easy = score_text_chunks(["The cat sat on the mat. We had fun. It is a good day."], target=8)
    hard = score_text_chunks(
        [
            "Mesotherapy administers individualised pharmacological preparations intradermally, "
            "potentially ameliorating localised adiposity and cutaneous laxity."
        ],
        target=8,
    )

    assert easy.score < 2 and not easy.harder_than_target
    assert hard.score > 20 and hard.harder_than_target
    assert hard.hardest[0].text.startswith("Mesotherapy administers")


def test_syllable_heuristic_on_common_words():
    assert [count_syllables(w) for w in ["cat", "water", "treatment", "injection", "side", "vitamins"]] == [
        1,
        2,
        2,
        3,
        1,
        3,
    ]


def test_citation_markers_do_not_count_as_words():
    assert score_text_chunks(["Drink water [1]."]).words == 2


@pytest.fixture
def admin_client(client, demo_site):
    client.force_login(UserFactory(username="grade-admin", is_superuser=True))
    return client


def test_editor_sees_grade_target_and_hardest_sentences(admin_client, mesotherapy):
    mesotherapy.intro = (
        "Mesotherapy administers individualised pharmacological preparations intradermally, "
        "potentially ameliorating localised adiposity and cutaneous laxity."
    )
    mesotherapy.body = [{"type": "paragraph", "value": "<p>Practitioners individualise formulations.</p>"}]
    mesotherapy.save_revision()

    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[mesotherapy.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    panel = html[html.index("data-readability-panel") :]
    assert 'data-readability-harder="true"' in panel
    assert "Reading grade 36.2 (Flesch-Kincaid)" in panel
    assert "target is grade 8.0 or below" in panel
    assert "Mesotherapy administers individualised" in panel
    assert "treatment_pages/js/readability-confirm.js" in html
    assert "treatment_pages/js/readability-live.js" in html


def test_target_grade_comes_from_settings(settings, mesotherapy):
    settings.TREATMENT_PAGES_READABILITY_TARGET_GRADE = 30

    assert mesotherapy.readability.target == 30
    assert not mesotherapy.readability.harder_than_target
