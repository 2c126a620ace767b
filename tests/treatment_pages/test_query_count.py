"""Rendering an article costs a fixed number of queries, however long its body is."""

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail_factories import ImageFactory

from tests.factories import TreatmentPageFactory
from treatment_pages.caching.policy import SITE_SHOWN_KEY, bump_versions

# Enough to load the page, site, settings, renditions and links, with no per-block cost.
MAX_QUERIES = 20


def body_of(length, images, link_targets):
    """``length`` blocks cycling through every block type, each image and link distinct."""
    images = itertools.cycle(images)
    targets = itertools.cycle(link_targets)
    # Images and page links first, so the short body has them too.
    makers = [
        lambda n: (
            "image",
            {"image": next(images).pk, "alt_text": f"Picture {n}", "caption": f"Caption {n}"},
        ),
        lambda n: (
            "next_steps",
            {"heading": "Next steps", "text": f"Call {n}", "page": next(targets).pk, "link_text": "Book"},
        ),
        lambda n: ("heading", {"text": f"Section {n}", "level": "h2"}),
        lambda n: ("paragraph", f"<p>Paragraph {n} with a <b>bold</b> word.</p>"),
        lambda n: (
            "prevention_steps",
            {
                "title": f"Steps {n}",
                "steps": [
                    {"text": "First", "sub_points": ["one", "two", "three"]},
                    {"text": "Second", "sub_points": []},
                ],
            },
        ),
        lambda n: ("callout", {"style": "note", "title": f"Note {n}", "text": "<p>Mind this.</p>"}),
        lambda n: ("facts_list", {"title": f"Facts {n}", "items": ["a", "b"]}),
    ]
    blocks = []
    for n, maker in zip(range(length), itertools.cycle(makers), strict=False):
        block_type, value = maker(n)
        blocks.append({"type": block_type, "value": value})
    return blocks


def queries_to_render(client, page):
    client.get(page.url)  # creates the renditions; warms site root paths and content types
    # Wagtail also caches renditions in the cache; without it every lookup must hit the database.
    get_image_model().get_rendition_model().cache_backend.clear()
    # The body's cached fragment is retired too (as a settings change does): what is
    # measured is the blocks rendering.
    bump_versions([SITE_SHOWN_KEY])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    assert response.status_code == 200
    return response, len(queries)


def test_article_query_count_does_not_grow_with_body_length(client, treatment_index, home_page):
    images = [ImageFactory(title=f"Image {n}") for n in range(8)]
    targets = [home_page, treatment_index, *treatment_index.get_children()]
    short = TreatmentPageFactory(parent=treatment_index, slug="short", body=body_of(5, images, targets))
    long = TreatmentPageFactory(parent=treatment_index, slug="long", body=body_of(50, images, targets))
    assert {block.block_type for block in long.body} == {
        "heading",
        "paragraph",
        "prevention_steps",
        "image",
        "callout",
        "facts_list",
        "next_steps",
    }

    short_response, short_queries = queries_to_render(client, short)
    long_response, long_queries = queries_to_render(client, long)

    assert long_response.content.count(b'<figure class="block-image">') == 8
    assert long_response.content.count(b'class="button next-steps__link"') == 7
    assert short_queries == long_queries, f"5 blocks: {short_queries} queries, 50 blocks: {long_queries}"
    assert long_queries <= MAX_QUERIES, long_queries
