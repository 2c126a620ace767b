"""Editors composing an article: block-picker previews and the steps block's shape."""

import importlib
import json

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.db import connection
from django.urls import reverse

from tests.factories import UserFactory
from treatment_pages.models import TreatmentPage

steps_migration = importlib.import_module("treatment_pages.migrations.0008_steps_sub_points_one_per_line")

# What each block's preview shows, from its Meta.preview_value.
EXPECTED_PREVIEW_TEXT = {
    "heading": "How does the treatment work?",
    "paragraph": "most patients return to work the same day",
    "prevention_steps": "Cut down on salt",
    "image": "Our treatment room",
    "callout": "Don't expect miracles",
    "urgent_help": "Call us or go to urgent care if",
    "facts_list": "Mild swelling",
    "next_steps": "Talk to one of our doctors",
    "faq": "Does the treatment hurt?",
}


@pytest.fixture
def editor_client(client, db):
    client.force_login(UserFactory(username="editor", is_superuser=True, is_staff=True))
    return client


def body_blocks():
    return TreatmentPage._meta.get_field("body").stream_block.child_blocks


def test_every_body_block_has_a_preview_and_a_description_in_the_block_picker(editor_client, demo_site):
    blocks = body_blocks()
    assert set(blocks) == set(EXPECTED_PREVIEW_TEXT)
    for name, block in blocks.items():
        assert block.is_previewable, name
        assert block.get_description(), name
        response = editor_client.get(reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix})
        assert response.status_code == 200, name
        html = response.content.decode()
        assert EXPECTED_PREVIEW_TEXT[name] in BeautifulSoup(html, "html.parser").get_text(" "), name
        # Styled like the public site (the project's global preview template).
        assert "css/site.css" in html, name


OLD_STEPS_BODY = [
    {
        "type": "prevention_steps",
        "id": "b1",
        "value": {
            "title": "Before your session",
            "steps": [
                # A ListBlock of CharBlocks stored each sub-point as an item with an id...
                {
                    "type": "item",
                    "id": "s1",
                    "value": {
                        "text": "Stop retinol creams",
                        "sub_points": [
                            {"type": "item", "id": "p1", "value": "Three days before"},
                            {"type": "item", "id": "p2", "value": "Ask about others"},
                        ],
                    },
                },
                {"type": "item", "id": "s2", "value": {"text": "Arrive without make-up", "sub_points": []}},
            ],
        },
    },
    # ...and older rows, like the demo's, as plain values without ids.
    {
        "type": "prevention_steps",
        "id": "b2",
        "value": {"title": "", "steps": [{"text": "Rest", "sub_points": ["One day", "Two if sore"]}]},
    },
]


def rendered_steps(client, article):
    response = client.get(article.url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [str(section) for section in soup.select(".article__body section.block-steps")]


def test_stored_steps_render_the_same_after_the_sub_points_migration(client, treatment_index):
    from tests.factories import TreatmentPageFactory

    article = TreatmentPageFactory(parent=treatment_index, title="Peel", slug="peel")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TreatmentPage._meta.db_table} SET body = %s WHERE page_ptr_id = %s",  # noqa: S608
            [json.dumps(OLD_STEPS_BODY), article.pk],
        )
    revision = article.save_revision()
    revision.content["body"] = json.dumps(OLD_STEPS_BODY)
    revision.save()
    article.refresh_from_db()
    before = rendered_steps(client, article)
    assert "<li>Three days before</li>" in before[0] and "<li>Two if sore</li>" in before[1]

    steps_migration.forwards(apps, None)

    article.refresh_from_db()
    assert rendered_steps(client, article) == before
    raw = article.body.raw_data
    assert raw[0]["value"]["steps"][0]["value"]["sub_points"] == ["Three days before", "Ask about others"]
    assert raw[0]["value"]["steps"][0]["id"] == "s1"  # the step items keep their ids
    assert raw[1]["value"]["steps"][0]["sub_points"] == ["One day", "Two if sore"]
    revision.refresh_from_db()
    stored = json.loads(revision.content["body"])
    assert stored[0]["value"]["steps"][0]["value"]["sub_points"] == ["Three days before", "Ask about others"]
    api = client.get(f"/api/v2/pages/{article.pk}/")
    assert api.status_code == 200
    steps = api.json()["body"][0]["value"]["steps"]
    assert steps == [
        {"text": "Stop retinol creams", "sub_points": ["Three days before", "Ask about others"]},
        {"text": "Arrive without make-up", "sub_points": []},
    ]


def test_a_sub_point_longer_than_the_limit_is_reported_with_its_line_number():
    from django.core.exceptions import ValidationError

    block = body_blocks()["prevention_steps"].child_blocks["steps"].child_block.child_blocks["sub_points"]
    with pytest.raises(ValidationError, match="Line 2"):
        block.clean(block.to_python(["Short", "x" * 501]))
    assert block.clean(block.to_python(["  Short  ", "", "Second"])) == ["Short", "Second"]
