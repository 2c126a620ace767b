"""What editors see in the block picker, and what readers get from each block."""

import pytest
from django.template import engines
from django.test import RequestFactory

from treatment_pages.blocks import TreatmentBodyBlock

BODY_BLOCKS = TreatmentBodyBlock().child_blocks


@pytest.mark.parametrize("name", list(BODY_BLOCKS))
def test_every_body_block_has_icon_template_description_and_preview(name):
    block = BODY_BLOCKS[name]

    assert block.meta.icon and block.meta.icon != "placeholder"
    assert block.meta.template == f"treatment_pages/blocks/{name}_block.html"
    assert block.meta.description
    assert block.get_preview_value() not in (None, "", {})


@pytest.mark.parametrize("name", list(BODY_BLOCKS))
def test_every_body_block_preview_renders(name, demo_site):
    block = BODY_BLOCKS[name]
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    template = engines["django"].from_string("{% load wagtailcore_tags %}{% include_block value %}")
    bound = TreatmentBodyBlock().to_python(
        [{"type": name, "value": block.get_prep_value(block.get_preview_value())}]
    )[0]

    html = template.render({"value": bound}, request)

    # Previews without an image or a linked page still render their text.
    if name != "image":
        assert html.strip()


def test_steps_block_rejects_an_empty_list_of_steps():
    from django.core.exceptions import ValidationError

    block = BODY_BLOCKS["prevention_steps"]
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"title": "", "steps": []}))


def test_urgent_help_card_links_its_phone_and_needs_words_for_its_link():
    from wagtail.blocks import StructBlockValidationError

    block = BODY_BLOCKS["urgent_help"]
    value = block.to_python(
        {"title": "Call us if", "text": "<ul><li>you have a fever</li></ul>", "phone": "+1 (217) 555-0142"}
    )
    html = block.render(value)

    assert 'href="tel:+12175550142"' in html
    assert '<span class="visually-hidden">Urgent advice: </span>Call us if</h2>' in html
    with pytest.raises(StructBlockValidationError) as refused:
        block.clean(block.to_python({**block.get_prep_value(value), "link": "https://example.org/"}))
    assert "link_text" in refused.value.block_errors
