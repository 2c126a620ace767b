"""The cached article body is retired by a change to what that article shows, and by nothing else.

Each test caches article B's body, then changes B's stored body behind Wagtail's back (a
queryset update: no revision, no signal, the same ``cache_key``), so the next answer shows
whether the body came from the cache (the old text) or was rendered again (the new text).
"""

import pytest
from wagtail.models import Page
from wagtail_factories import ImageFactory

from tests.factories import TreatmentPageFactory
from treatment_pages.models import ClinicContactSettings, TreatmentPage

pytestmark = pytest.mark.django_db

CACHED_TEXT = "Text as first published."
CHANGED_TEXT = "Text changed in the database only."


def body(text, *, image=None, linked_page=None):
    blocks = [{"type": "paragraph", "value": f"<p>{text}</p>"}]
    if image is not None:
        blocks.append({"type": "image", "value": {"image": image.pk, "alt_text": "A picture", "caption": ""}})
    if linked_page is not None:
        blocks.append(
            {
                "type": "next_steps",
                "value": {"heading": "Next", "text": "Go on", "page": linked_page.pk, "link_text": "Read on"},
            }
        )
    return blocks


def publish(page):
    page.save_revision().publish()


@pytest.fixture
def articles(treatment_index):
    """Article A, article C, and article B whose body shows an image and links to C."""
    image = ImageFactory(title="Shown in B")
    article_a = TreatmentPageFactory(parent=treatment_index, slug="article-a", body=body("A's body"))
    article_c = TreatmentPageFactory(parent=treatment_index, slug="article-c", body=body("C's body"))
    article_b = TreatmentPageFactory(
        parent=treatment_index,
        slug="article-b",
        body=body(CACHED_TEXT, image=image, linked_page=article_c),
    )
    for page in (article_a, article_c, article_b):
        publish(page)
    return article_a, article_b, article_c, image


def cached_then_changed_underneath(client, article):
    """Render ``article`` (its body is cached), then change its stored body without a publish."""
    first = client.get(article.url)
    assert first.status_code == 200
    assert CACHED_TEXT in first.content.decode()
    TreatmentPage.objects.filter(pk=article.pk).update(body=body(CHANGED_TEXT))


def body_text_now(client, article):
    response = client.get(article.url)
    assert response.status_code == 200
    content = response.content.decode()
    assert (CACHED_TEXT in content) != (CHANGED_TEXT in content)
    return CACHED_TEXT if CACHED_TEXT in content else CHANGED_TEXT


def test_publishing_another_article_keeps_this_articles_cached_body(client, articles):
    article_a, article_b, _article_c, _image = articles
    cached_then_changed_underneath(client, article_b)

    article_a.title = "Article A, revised"
    publish(article_a)
    ImageFactory(title="An image no article shows")

    assert body_text_now(client, article_b) == CACHED_TEXT


def test_publishing_a_page_the_body_links_to_retires_it(client, articles):
    _article_a, article_b, article_c, _image = articles
    cached_then_changed_underneath(client, article_b)

    article_c.slug = "article-c-renamed"
    publish(article_c)

    assert body_text_now(client, article_b) == CHANGED_TEXT


def test_changing_an_image_the_body_shows_retires_it(client, articles):
    _article_a, article_b, _article_c, image = articles
    cached_then_changed_underneath(client, article_b)

    image.title = "Shown in B, retitled"
    image.save()

    assert body_text_now(client, article_b) == CHANGED_TEXT


def test_changing_the_clinics_settings_retires_it(client, articles):
    _article_a, article_b, _article_c, _image = articles
    cached_then_changed_underneath(client, article_b)

    contact = ClinicContactSettings.for_site(article_b.get_site())
    contact.phone = "+1 (217) 555-0142"
    contact.save()

    assert body_text_now(client, article_b) == CHANGED_TEXT


def test_moving_a_linked_page_retires_it(client, articles, home_page):
    _article_a, article_b, article_c, _image = articles
    section = home_page.add_child(instance=Page(title="Another section", slug="another-section"))
    cached_then_changed_underneath(client, article_b)

    # C's URL, shown in B's body, changes.
    Page.objects.get(pk=article_c.pk).move(section, pos="last-child")

    assert body_text_now(client, article_b) == CHANGED_TEXT


def test_what_a_body_shows_is_read_from_its_stored_data_as_wagtail_reads_it_from_its_value(mesotherapy):
    """The cached body's key lists what Wagtail's ``extract_references`` finds in it (images,
    page choosers, pages and documents linked from rich text), without turning it into values."""
    from wagtail.documents.models import Document
    from wagtail.images import get_image_model

    from treatment_pages.caching.policy import shown_in_stored_data

    document = Document.objects.create(title="Leaflet", file="documents/leaflet.pdf")
    stored = [
        *mesotherapy.body.raw_data,
        {
            "type": "paragraph",
            "value": f'<p><a linktype="page" id="{mesotherapy.pk}">Us</a> '
            f'<a linktype="document" id="{document.pk}">Leaflet</a></p>',
        },
    ]
    page = TreatmentPage(body=stored)

    wagtail_finds = {
        (model, str(pk))
        for model, pk, _path, _content_path in page.body.stream_block.extract_references(page.body)
    }
    found = set(shown_in_stored_data(page.body.stream_block, page.body.raw_data))

    assert {model for model, _pk in wagtail_finds} >= {Page, Document, get_image_model()}
    assert found == wagtail_finds
