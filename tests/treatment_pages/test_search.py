"""Readers searching the treatment articles."""

from bs4 import BeautifulSoup

from tests.factories import TreatmentPageFactory


def result_titles(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text() for a in soup.select(".card-list .card__title a")], soup


def test_finds_mesotherapy_by_a_word_from_its_body(client, mesotherapy):
    titles, soup = result_titles(client, "dimpled")

    assert titles == ["Mesotherapy"]
    assert soup.select_one(".card__title a")["href"] == mesotherapy.url
    assert "1 result for “dimpled”" in soup.select_one('[role="status"]').get_text()


def test_finds_articles_by_title(client, demo_site):
    titles, _ = result_titles(client, "peel")

    assert titles == ["Chemical peel"]


def test_ignores_unpublished_articles_and_unpublished_changes(client, treatment_index, mesotherapy):
    TreatmentPageFactory(
        parent=treatment_index,
        title="Secret draft",
        intro="Zygomatic lifting is not ready to publish.",
        live=False,
    )
    mesotherapy.intro = "Mesotherapy now mentions quetzalcoatl in a draft."
    mesotherapy.save_revision()  # saved as a draft, not published

    assert result_titles(client, "zygomatic")[0] == []
    assert result_titles(client, "quetzalcoatl")[0] == []
    mesotherapy.refresh_from_db()
    mesotherapy.unpublish()
    assert result_titles(client, "dimpled")[0] == []


def test_empty_query_shows_the_form_and_no_results(client, demo_site):
    response = client.get("/search/", {"q": "   "})

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("form.search-form input[name=q]") is not None
    assert soup.select(".card-list") == []
    assert soup.select_one('[role="status"]') is None


def test_no_match_says_so(client, demo_site):
    titles, soup = result_titles(client, "xylophone")

    assert titles == []
    assert "0 results for “xylophone”" in soup.select_one('[role="status"]').get_text()
