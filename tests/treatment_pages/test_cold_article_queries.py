"""An article costs at most two queries more than a plain stock Wagtail page, cold (right after
its own publish), after a publish elsewhere and warm, whatever its length, references or history."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TreatmentPageFactory
from treatment_pages.models import ArticleChangeNote, ArticleReference
from treatment_pages.review.seal import sign

# The "Plain stock Wagtail page" row of benchmarks/page_render.py (its stock_wagtail app is not
# installed in the test settings): a `wagtail start` page type with the article's StreamField
# at the article's depth, served through this site's middleware. Its 10: the site, routing's 5
# (each level's page, then the specific page, for its section and for itself), the view
# restrictions' 2 (alias paths, then the restrictions) and the body's 2 (its images, its page
# links). Measured on 2026-12-07.
STOCK_PAGE_QUERIES = 10

# The bound. The article's routing reads it in one query with its seal, reviewer,
# hero image and rating (TreatmentIndexPage.route); what it adds beside the stock page's:
# its references and its page history, and when cold the renditions of its body's images.
# The clinic settings, navigation and its breadcrumb's ancestors come from the cache.
ARTICLE_EXTRA_QUERIES = 2


def publish(page):
    page.refresh_from_db()
    page.save_revision().publish()


def render_queries(client, page, before=None):
    """Queries of one render of ``page`` after ``before()`` (a publish), once the site is warm."""
    assert client.get(page.url).status_code == 200  # renditions exist; site root paths are known
    if before is not None:
        before()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    assert response.status_code == 200
    return response, len(queries)


def cold_render_queries(client, page):
    """Right after the article's own publish: a new ``cache_key``, nothing of it cached."""
    return render_queries(client, page, before=lambda: publish(page))


def signed_article(parent, source, *, slug, copies, references, changes, reviewer):
    """An article whose body is ``copies`` times ``source``'s blocks (every block type, images
    and page links), with ``references``, ``changes`` change notes and a seal that holds."""
    raw = source.body.raw_data
    body = [{"type": block["type"], "value": block["value"]} for block in raw] * copies
    page = TreatmentPageFactory(parent=parent, slug=slug, title=f"Article {slug}", body=body)
    for n in range(references):
        ArticleReference.objects.create(
            page=page, sort_order=n, title=f"Source {n}", year=2020, url=f"https://example.org/{n}"
        )
    sign(page, reviewer=reviewer, reviewed_on=datetime.date(2026, 1, 5), note="Checked")
    for n in range(changes):
        ArticleChangeNote.objects.create(
            page_id=page.pk, kind=ArticleChangeNote.NON_CLINICAL_CHANGE, note=f"Typo {n}"
        )
    return page


def test_a_cold_article_costs_at_most_two_queries_more_than_a_stock_page(client, mesotherapy):
    response, queries = cold_render_queries(client, mesotherapy)

    # The demo article shows all that costs a query: a holding seal, references, history.
    assert mesotherapy.clinical_review is not None and mesotherapy.reference_list
    assert b'class="breadcrumb"' in response.content
    assert b"Medically reviewed by" in response.content
    assert queries <= STOCK_PAGE_QUERIES + ARTICLE_EXTRA_QUERIES, queries


def test_after_a_publish_elsewhere_and_warm_an_article_costs_at_most_two_queries_more(
    client, treatment_index, mesotherapy
):
    elsewhere = TreatmentPageFactory(parent=treatment_index, slug="elsewhere", title="Elsewhere")
    publish(elsewhere)

    _response, after_elsewhere = render_queries(client, mesotherapy, before=lambda: publish(elsewhere))
    _response, warm = render_queries(client, mesotherapy)

    assert after_elsewhere <= STOCK_PAGE_QUERIES + ARTICLE_EXTRA_QUERIES, after_elsewhere
    assert warm <= STOCK_PAGE_QUERIES + ARTICLE_EXTRA_QUERIES, warm


def test_cold_queries_do_not_grow_with_blocks_references_or_history(client, treatment_index, mesotherapy):
    reviewer = mesotherapy.clinical_review.reviewer
    small = signed_article(
        treatment_index, mesotherapy, slug="small", copies=1, references=1, changes=1, reviewer=reviewer
    )
    large = signed_article(
        treatment_index, mesotherapy, slug="large", copies=5, references=8, changes=6, reviewer=reviewer
    )

    small_response, small_queries = cold_render_queries(client, small)
    large_response, large_queries = cold_render_queries(client, large)

    assert large_response.content.count(b'class="references__item"') == 8, "every reference is listed"
    assert reviewer.name.encode() in large_response.content, "the seal holds and names the reviewer"
    assert small_queries == large_queries, f"small: {small_queries} queries, large: {large_queries}"
    assert large_queries <= STOCK_PAGE_QUERIES + ARTICLE_EXTRA_QUERIES, large_queries
