"""What frames an article (navigation, breadcrumb, clinic settings) stays cached through a
publish elsewhere and is shown afresh after a change to what it shows.

Like ``test_body_fragment_cache``: a test changes a shown page or setting behind Wagtail's
back (a queryset update: no revision, no signal), so the next answer tells whether the
fragment came from the cache (the old text) or was rendered again (the new text).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from tests.factories import TreatmentIndexPageFactory, TreatmentPageFactory
from treatment_pages.models import ClinicContactSettings, Clinician, TreatmentIndexPage, TreatmentPage
from treatment_pages.ratings.votes import cast_vote
from treatment_pages.review.seal import sign

pytestmark = pytest.mark.django_db


def publish(page):
    page.refresh_from_db()
    page.save_revision().publish()


def rename_underneath(page, title):
    """A new title in the database only: what a cached fragment would not know."""
    Page.objects.filter(pk=page.pk).update(title=title)


def html(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def header_of(content):
    return content.split('<main id="main-content"', 1)[0]


def breadcrumb_of(content):
    return content.split('<nav class="breadcrumb"', 1)[1].split("</nav>", 1)[0]


@pytest.fixture
def other_article(treatment_index):
    article = TreatmentPageFactory(parent=treatment_index, slug="other-article", title="Other article")
    publish(article)
    return article


def test_an_articles_publish_elsewhere_keeps_the_navigation_and_breadcrumb_cached(
    client, mesotherapy, treatment_index, other_article
):
    html(client, mesotherapy)  # navigation and breadcrumb cached
    rename_underneath(treatment_index, "Renamed underneath")

    publish(other_article)
    content = html(client, mesotherapy)

    assert "Renamed underneath" not in content, "an article elsewhere changed nothing these show"


def test_a_menu_pages_publish_shows_in_the_navigation_and_breadcrumb(client, mesotherapy, treatment_index):
    html(client, mesotherapy)
    treatment_index.refresh_from_db()
    treatment_index.title = "Our treatments"
    treatment_index.save_revision().publish()

    content = html(client, mesotherapy)

    assert "Our treatments" in header_of(content)
    assert "Our treatments" in breadcrumb_of(content)


def test_a_new_menu_page_shows_in_the_navigation(client, mesotherapy, home_page):
    html(client, mesotherapy)
    section = TreatmentIndexPageFactory(
        parent=home_page, slug="more", title="More treatments", show_in_menus=True
    )
    publish(section)

    assert "More treatments" in header_of(html(client, mesotherapy))


def test_an_unpublished_menu_page_leaves_the_navigation(client, mesotherapy, home_page):
    section = TreatmentIndexPageFactory(
        parent=home_page, slug="more", title="More treatments", show_in_menus=True
    )
    publish(section)
    assert "More treatments" in header_of(html(client, mesotherapy))

    section.unpublish()

    assert "More treatments" not in header_of(html(client, mesotherapy))


def test_an_articles_own_publish_shows_its_new_title_in_its_breadcrumb(client, mesotherapy):
    html(client, mesotherapy)
    mesotherapy.refresh_from_db()
    mesotherapy.title = "Mesotherapy, explained"
    mesotherapy.save_revision().publish()

    assert "Mesotherapy, explained" in breadcrumb_of(html(client, mesotherapy))


def test_a_moved_article_shows_its_new_section_in_its_breadcrumb(client, home_page, other_article):
    html(client, other_article)
    second_index = TreatmentIndexPageFactory(parent=home_page, slug="second", title="Second section")
    publish(second_index)

    Page.objects.get(pk=other_article.pk).move(second_index, pos="last-child")
    moved = TreatmentPage.objects.get(pk=other_article.pk)
    content = html(client, moved)

    assert "Second section" in breadcrumb_of(content)


def test_the_clinic_settings_are_read_once_across_requests_and_a_save_shows_at_once(client, mesotherapy):
    html(client, mesotherapy)
    table = ClinicContactSettings._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        html(client, mesotherapy)
    assert not [query for query in queries if table in query["sql"]], "the settings came from the cache"

    settings = ClinicContactSettings.objects.get()
    settings.clinic_name = "Renamed Clinic"
    settings.save()

    content = html(client, mesotherapy)
    assert "Renamed Clinic" in header_of(content)
    assert "Renamed Clinic" in content.split("</main>", 1)[1], "the footer's contact details too"


def test_the_appointment_pages_new_title_shows_in_the_header(client, mesotherapy):
    appointment = ClinicContactSettings.objects.get().appointment_page.specific
    assert appointment.title in header_of(html(client, mesotherapy))

    appointment.title = "Book a visit"
    appointment.save_revision().publish()

    assert "Book a visit" in header_of(html(client, mesotherapy))


def test_a_vote_shows_in_the_next_render(client, mesotherapy):
    assert "Not rated yet" in html(client, mesotherapy)

    cast_vote(mesotherapy, "voter-1", 4)

    assert "4.0 out of 5, 1 rating" in html(client, mesotherapy)


def test_a_sign_off_shows_in_the_next_render(client, other_article):
    assert "Medically reviewed by" not in html(client, other_article)
    reviewer = Clinician.objects.create(name="Dr Ada Reviewer", live=True)

    sign(
        TreatmentPage.objects.get(pk=other_article.pk),
        reviewer=reviewer,
        reviewed_on=datetime.date(2026, 3, 2),
    )

    content = html(client, other_article)
    assert "Medically reviewed by" in content
    assert "Dr Ada Reviewer" in content


def test_the_index_serves_a_page_of_another_type_below_it(client, treatment_index):
    # Placed before subpage_types allowed only articles: Wagtail's own routing serves it.
    other = TreatmentIndexPageFactory(parent=treatment_index, slug="older-section", title="Older section")
    publish(other)

    response = client.get(other.url)

    assert response.status_code == 200
    assert "Older section" in response.content.decode()
    assert isinstance(response.context["page"], TreatmentIndexPage)


def test_the_index_answers_404_for_an_unpublished_article_and_a_path_below_an_article(
    client, mesotherapy, other_article
):
    other_article.unpublish()

    assert client.get("/treatments/other-article/").status_code == 404
    assert client.get(mesotherapy.url + "below/").status_code == 404


def test_a_reviewers_edit_shows_in_the_byline_and_json_ld_without_a_publish_of_the_article(
    client, other_article
):
    reviewer = Clinician.objects.create(name="Dr Ada Reviewer", live=True)
    sign(
        TreatmentPage.objects.get(pk=other_article.pk),
        reviewer=reviewer,
        reviewed_on=datetime.date(2026, 3, 2),
    )
    assert "Dr Ada Reviewer" in html(client, other_article)

    reviewer.name = "Dr Ada Lovelace"
    reviewer.save()
    content = html(client, other_article)

    assert "Dr Ada Reviewer" not in content
    assert content.count("Dr Ada Lovelace") >= 2, "the byline and the JSON-LD's reviewedBy"


def test_a_vote_shows_in_the_json_ld_when_it_carries_the_rating(client, settings, mesotherapy):
    settings.TREATMENT_PAGES_JSON_LD_AGGREGATE_RATING = True
    cast_vote(mesotherapy, "voter-1", 4)
    assert '"ratingCount": 1' in html(client, mesotherapy)

    cast_vote(mesotherapy, "voter-2", 2)

    assert '"ratingCount": 2' in html(client, mesotherapy)


def test_a_deleted_appointment_page_leaves_the_header(client, mesotherapy):
    appointment = ClinicContactSettings.objects.get().appointment_page
    assert appointment.title in header_of(html(client, mesotherapy))

    Page.objects.get(pk=appointment.pk).delete()

    assert appointment.title not in header_of(html(client, mesotherapy))
