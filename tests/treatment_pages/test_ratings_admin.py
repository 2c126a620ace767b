import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.treatment_pages.ratings_support import Reader
from treatment_pages.models import Rating, RatingSummary
from treatment_pages.ratings.voters import voter_key_for
from treatment_pages.ratings.votes import cast_vote

LISTING = "wagtailsnippets_treatment_pages_rating:list"
REPORT = "treatment_pages_ratingsummary_modeladmin_index"


@pytest.fixture
def editor_client(db):
    """An editor in a group that may view and delete ratings (not a superuser)."""
    group = Group.objects.create(name="Rating moderators")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_rating"),
        Permission.objects.get(codename="delete_rating"),
    )
    editor = UserFactory(username="moderator")
    editor.groups.add(group)
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def admin_client_(db):
    client = Client()
    client.force_login(UserFactory(username="boss", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def rated(mesotherapy, treatment_index):
    """Mesotherapy rated 5, 4, 3 and Chemical peel rated 1, 5, 5, 5."""
    peel = treatment_index.get_children().get(slug="chemical-peel").specific
    for index, score in enumerate((5, 4, 3)):
        cast_vote(mesotherapy, voter_key_for(f"meso-{index}"), score)
    for index, score in enumerate((1, 5, 5, 5)):
        cast_vote(peel, voter_key_for(f"peel-{index}"), score)
    return {"mesotherapy": mesotherapy, "peel": peel}


def listing_rows(response):
    """Each row's page title, score and date (without the row's action buttons)."""
    soup = BeautifulSoup(response.content, "html.parser")
    rows = []
    for row in soup.select("table.listing tbody tr"):
        title_cell, *cells = row.find_all("td")[1:]
        title = title_cell.select_one(".title-wrapper")
        # What sighted editors see: the screen-reader-only score and time are checked apart.
        for hidden in title.select(".w-sr-only"):
            hidden.decompose()
        title = title.get_text(" ", strip=True)
        rows.append([title, *(cell.get_text(" ", strip=True) for cell in cells)])
    return rows


def test_listing_shows_page_score_and_date_but_never_the_voter_key(editor_client, rated):
    response = editor_client.get(reverse(LISTING))

    assert response.status_code == 200
    rows = listing_rows(response)
    assert len(rows) == 7
    assert sorted((row[0].split(" ")[0], row[1]) for row in rows)[:2] == [
        ("Chemical", "1 star"),
        ("Chemical", "5 stars"),
    ]
    html = response.content.decode()
    for key in Rating.objects.values_list("voter_key", flat=True):
        assert key not in html
    assert "voter" not in html.lower()
    # Readers create ratings; the admin offers no way to add or edit one.
    assert reverse("wagtailsnippets_treatment_pages_rating:add") not in html
    rating = Rating.objects.first()
    assert reverse("wagtailsnippets_treatment_pages_rating:edit", args=[rating.pk]) not in html
    # Each row offers deletion.
    assert reverse("wagtailsnippets_treatment_pages_rating:delete", args=[rating.pk]) in html


def test_nobody_can_add_or_edit_a_rating_in_the_admin(admin_client_, rated):
    rating = Rating.objects.first()

    for url in (
        reverse("wagtailsnippets_treatment_pages_rating:add"),
        reverse("wagtailsnippets_treatment_pages_rating:edit", args=[rating.pk]),
    ):
        response = admin_client_.get(url)
        assert response.status_code in (302, 403)
        response = admin_client_.post(url, {"score": "1"})
        assert response.status_code in (302, 403)
    assert Rating.objects.get(pk=rating.pk).score == rating.score


def test_listing_filters_by_page_score_and_date_range(editor_client, rated):
    peel = rated["peel"]
    old = Rating.objects.filter(page=peel, score=1).get()
    Rating.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=40))
    url = reverse(LISTING)

    by_page = listing_rows(editor_client.get(url, {"page": peel.pk}))
    by_score = listing_rows(editor_client.get(url, {"score": ["5"]}))
    today = timezone.localdate()
    recent = listing_rows(
        editor_client.get(url, {"created_from": (today - timedelta(days=7)).isoformat(), "created_to": ""})
    )
    older = listing_rows(editor_client.get(url, {"created_to": (today - timedelta(days=30)).isoformat()}))

    assert len(by_page) == 4 and all(row[0] == "Chemical peel" for row in by_page)
    assert len(by_score) == 4 and all(row[1] == "5 stars" for row in by_score)
    assert len(recent) == 6
    assert [row[:2] for row in older] == [["Chemical peel", "1 star"]]


def test_each_rating_row_names_its_page_and_tells_screen_readers_its_score_and_time(editor_client, rated):
    peel = rated["peel"]
    old = Rating.objects.filter(page=peel, score=1).get()

    soup = BeautifulSoup(editor_client.get(reverse(LISTING), {"page": peel.pk}).content, "html.parser")

    hidden = [cell.get_text() for cell in soup.select("table.listing tbody .title-wrapper .w-sr-only")]
    assert len(hidden) == 4 and len(set(hidden)) == 4
    assert f", 1 star, {old.rated_on_text} (no. {old.pk})" in hidden
    assert str(old) == f"1 star for “Chemical peel”, {old.rated_on_text}"


def test_deleting_a_rating_in_the_admin_updates_the_summary(editor_client, rated):
    mesotherapy = rated["mesotherapy"]
    five = Rating.objects.get(page=mesotherapy, score=5)
    delete_url = reverse("wagtailsnippets_treatment_pages_rating:delete", args=[five.pk])

    confirm = editor_client.get(delete_url)
    assert confirm.status_code == 200
    assert five.voter_key not in confirm.content.decode()
    response = editor_client.post(delete_url)

    assert response.status_code == 302
    assert not Rating.objects.filter(pk=five.pk).exists()
    summary = RatingSummary.objects.get(page=mesotherapy)
    assert (summary.count, summary.total) == (2, 7)
    assert "3.5 out of 5, 2 ratings" in Reader().widget(mesotherapy).get_text(" ", strip=True)


def test_bulk_deleting_ratings_in_the_admin_updates_every_summary(editor_client, rated):
    mesotherapy, peel = rated["mesotherapy"], rated["peel"]
    doomed = list(Rating.objects.filter(score=5).values_list("pk", flat=True))
    url = reverse("wagtail_bulk_action", args=["treatment_pages", "rating", "delete"])
    query = "?" + "&".join(f"id={pk}" for pk in doomed)

    assert editor_client.get(url + query).status_code == 200
    response = editor_client.post(url + query)

    assert response.status_code == 302
    assert set(Rating.objects.values_list("score", flat=True)) == {1, 3, 4}
    meso = RatingSummary.objects.get(page=mesotherapy)
    assert (meso.count, meso.total) == (2, 7)
    peel_summary = RatingSummary.objects.get(page=peel)
    assert (peel_summary.count, peel_summary.total, peel_summary.text) == (1, 1, "1.0 out of 5, 1 rating")


def test_ratings_report_lists_average_count_and_distribution_sortable(editor_client, rated):
    url = reverse(REPORT)

    response = editor_client.get(url)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    headings = [th.get_text(" ", strip=True) for th in soup.select("table.listing thead th")]
    assert headings[:8] == [
        "Page",
        "Average",
        "Ratings",
        "1 star",
        "2 stars",
        "3 stars",
        "4 stars",
        "5 stars",
    ]
    rows = {
        row[0]: row[1:8]
        for row in (
            # The page cell holds the title (linking to its votes) and an "Edit page" link.
            [tr.find("td").find("a").get_text(strip=True)]
            + [td.get_text(" ", strip=True) for td in tr.find_all("td")[1:]]
            for tr in soup.select("table.listing tbody tr")
        )
    }
    assert rows == {
        "Chemical peel": ["4.0", "4", "1", "0", "0", "0", "3"],
        "Mesotherapy": ["4.0", "3", "0", "0", "1", "1", "1"],
    }
    by_count = editor_client.get(url, {"o": "2"})  # ascending by number of ratings
    first_rows = BeautifulSoup(by_count.content, "html.parser").select("table.listing tbody tr")
    assert first_rows[0].find("td").find("a").get_text(strip=True) == "Mesotherapy"
    by_average = editor_client.get(url, {"o": "-1"})
    assert by_average.status_code == 200


def test_ratings_report_exports_csv(editor_client, rated):
    response = editor_client.get(reverse(REPORT), {"export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Page", "Average", "Ratings", "1 star", "2 stars", "3 stars", "4 stars", "5 stars"]
    assert sorted(rows[1:]) == [
        ["Chemical peel", "4.0", "4", "1", "0", "0", "0", "3"],
        ["Mesotherapy", "4.0", "3", "0", "0", "1", "1", "1"],
    ]


def test_report_needs_a_ratings_permission(rated):
    client = Client()
    outsider = UserFactory(username="writer")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)

    assert client.get(reverse(REPORT)).status_code in (302, 403)
    assert client.get(reverse(LISTING)).status_code in (302, 403)


def test_article_edit_screen_shows_average_and_count(admin_client_, rated):
    response = admin_client_.get(reverse("wagtailadmin_pages:edit", args=[rated["mesotherapy"].pk]))

    assert response.status_code == 200
    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert "Reader ratings" in text
    assert "4.0 out of 5, 3 ratings" in text


def test_unrated_article_edit_screen_says_so(admin_client_, treatment_index):
    laser = treatment_index.get_children().get(slug="laser-hair-removal")

    response = admin_client_.get(reverse("wagtailadmin_pages:edit", args=[laser.pk]))

    assert "Not rated yet (0 out of 5)" in response.content.decode()


def test_report_export_keeps_formula_like_titles_as_text(editor_client, rated):
    peel = rated["peel"]
    peel.title = '=HYPERLINK("https://evil.example")'
    peel.save()

    response = editor_client.get(reverse(REPORT), {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert ['\'=HYPERLINK("https://evil.example")', "4.0", "4", "1", "0", "0", "0", "3"] in rows


def test_one_ratings_menu_and_the_report_links_to_each_pages_votes_and_edit_screen(editor_client, rated):
    home = editor_client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert html.count(reverse(REPORT)) == 1  # under "Ratings", not also under Reports
    assert reverse(LISTING) in html
    snippets = editor_client.get(reverse("wagtailsnippets:index"))
    assert reverse(LISTING) not in snippets.content.decode()  # not repeated under Snippets

    report = editor_client.get(reverse(REPORT))
    assert report.status_code == 200
    peel = rated["peel"]
    cell = next(
        tr.find("td")
        for tr in BeautifulSoup(report.content, "html.parser").select("table.listing tbody tr")
        if "Chemical peel" in tr.get_text()
    )
    votes_link, edit_link = cell.find_all("a")
    assert votes_link["href"] == f"{reverse(LISTING)}?page={peel.pk}"
    assert edit_link["href"] == reverse("wagtailadmin_pages:edit", args=[peel.pk])
    votes = editor_client.get(votes_link["href"])
    assert votes.status_code == 200
    assert len(listing_rows(votes)) == 4


def test_the_rated_between_filter_names_each_date_and_states_its_format(editor_client, rated):
    response = editor_client.get(reverse(LISTING))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    date_inputs = soup.select("input[name^=created_]")
    assert [i.get("aria-label") for i in date_inputs] == [
        "Rated from (YYYY-MM-DD)",
        "Rated until (YYYY-MM-DD)",
    ]
    assert "Dates as YYYY-MM-DD" in soup.get_text()


def test_each_rows_checkbox_is_told_apart_from_the_others_of_the_same_page(editor_client, rated):
    response = editor_client.get(reverse(LISTING))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    descriptions = []
    for checkbox in soup.select("input[data-bulk-action-checkbox]"):
        described_by = soup.find(id=checkbox["aria-describedby"])
        descriptions.append(described_by.get_text(" ", strip=True))
    assert len(descriptions) == 7
    assert len(set(descriptions)) == 7, descriptions
    assert sum("Mesotherapy" in text for text in descriptions) == 3


def test_the_score_checkboxes_are_a_named_group(editor_client, rated):
    response = editor_client.get(reverse(LISTING))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    checkbox = soup.select_one('input[name="score"]')
    group = checkbox.find_parent("fieldset")
    assert group is not None and group.legend.get_text(strip=True) == "Score"
    assert len(group.select('input[name="score"]')) == 5
