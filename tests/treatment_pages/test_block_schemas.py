"""The v3 schema types article bodies block by block, generated from the block definitions."""

import pytest
from pydantic import TypeAdapter
from wagtail import blocks

from treatment_pages.api.block_schemas import BlockSchemaBuilder, UntypedBlockError, stream_block_type
from treatment_pages.blocks import TreatmentBodyBlock


@pytest.mark.parametrize("name", list(TreatmentBodyBlock.base_blocks))
def test_every_body_block_has_a_schema(name):
    child = TreatmentBodyBlock().child_blocks[name]

    # Raises UntypedBlockError for a block nobody described.
    assert BlockSchemaBuilder().value_type(child, name) is not None


def test_a_block_without_a_known_representation_is_an_error_not_any():
    class CustomBlock(blocks.Block):
        pass

    class Body(blocks.StreamBlock):
        custom = CustomBlock()

    with pytest.raises(UntypedBlockError, match="CustomBlock at .* has no API schema"):
        stream_block_type(Body())


def test_openapi_body_is_a_union_discriminated_by_block_type(client, db):
    schema = client.get("/api/v3/openapi.json").json()
    components = schema["components"]["schemas"]

    body = components["TreatmentPageSchema"]["properties"]["body"]
    assert body["items"]["discriminator"]["propertyName"] == "type"
    assert set(body["items"]["discriminator"]["mapping"]) == set(TreatmentBodyBlock.base_blocks)
    step = components["PreventionStepBlockValue"]
    assert step["properties"]["text"]["type"] == "string"
    assert step["properties"]["sub_points"] == {
        "items": {"type": "string"},
        "title": "Sub Points",
        "type": "array",
    }
    heading = components["HeadingBlockValue"]["properties"]["level"]
    assert heading["enum"] == ["h2", "h3"]
    assert components["TreatmentPageSchema"]["properties"]["last_updated"]["anyOf"][0]["format"] == "date"


def test_served_article_body_validates_against_its_generated_type(client, mesotherapy):
    response = client.get(f"/api/v3/pages/{mesotherapy.pk}/")
    assert response.status_code == 200

    body = TypeAdapter(stream_block_type(TreatmentBodyBlock())).validate_python(response.json()["body"])

    steps = next(item for item in body if item.type == "prevention_steps").value.steps
    assert [len(step.sub_points) for step in steps] == [6, 0, 0, 4, 0]
    assert {item.type for item in body} >= {"heading", "paragraph", "image", "facts_list", "next_steps"}
