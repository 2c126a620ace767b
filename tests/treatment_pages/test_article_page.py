from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import Page

from treatment_pages.models import TreatmentPage


def test_mesotherapy_steps_render_as_one_ordered_list_with_nested_bullets(client, mesotherapy):
    response = client.get(mesotherapy.url)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    lists = soup.select(".article__body ol.steps")
    assert len(lists) == 1
    steps = lists[0].find_all("li", recursive=False)
    assert len(steps) == 5
    sub_point_counts = [len(step.select("ul > li")) for step in steps]
    assert sub_point_counts == [6, 0, 0, 4, 0]
    assert steps[0].find(class_="steps__text").get_text() == "Watch your diet"
    # Steps without sub-points have no empty nested list for screen readers to announce.
    assert steps[1].find("ul") is None


def test_article_shows_breadcrumb_last_updated_and_clinic_contact(client, mesotherapy):
    signed_on = mesotherapy.review_seal.reviewed_on

    soup = BeautifulSoup(client.get(mesotherapy.url).content, "html.parser")

    crumbs = soup.select("nav.breadcrumb li")
    assert " ".join(crumb.get_text(strip=True) for crumb in crumbs) == "Home» Treatments» Mesotherapy"
    assert [a["href"] for a in soup.select("nav.breadcrumb a")] == [
        "/",
        "/treatments/",
        "/treatments/mesotherapy/",
    ]
    assert f"Article last updated: {signed_on:%-d %B %Y}" in soup.get_text(" ", strip=True)
    footer = soup.select_one("footer .clinic-contact").get_text(" ", strip=True)
    assert "Riverside Skin & Wellness Clinic" in footer
    assert "+1 (217) 555-0142" in footer
    next_steps = soup.select_one(".next-steps").get_text(" ", strip=True)
    assert "appointments@riverside-clinic.example" in next_steps


def test_last_updated_falls_back_to_last_publish_date(client, demo_site):
    # The demo's laser hair removal article has never been clinically reviewed.
    article = TreatmentPage.objects.get(slug="laser-hair-removal")
    assert article.last_reviewed is None

    soup = BeautifulSoup(client.get(article.url).content, "html.parser")

    time = soup.select_one(".article__updated time")
    # The clinic's calendar day (an evening publish in Illinois is not tomorrow's, as UTC says).
    assert time["datetime"] == timezone.localdate(article.last_published_at).isoformat()


def test_home_links_to_the_treatments_index_and_its_articles(client, home_page, treatment_index):
    soup = BeautifulSoup(client.get(home_page.url).content, "html.parser")

    section = soup.select_one("section.home-section")
    assert section.h2.get_text() == "Treatments"
    assert section.find("a", string="See all treatments")["href"] == treatment_index.url
    assert [a.get_text() for a in section.select(".home-section__list a")] == [
        "Mesotherapy",
        "Chemical peel",
        "Laser hair removal",
    ]


def test_index_lists_live_articles_with_title_and_intro_only(client, treatment_index, mesotherapy):
    from tests.factories import TreatmentPageFactory

    TreatmentPageFactory(parent=treatment_index, title="Unfinished draft", live=False)
    mesotherapy.unpublish()

    soup = BeautifulSoup(client.get(treatment_index.url).content, "html.parser")

    cards = soup.select(".card-list .card")
    assert [card.h2.get_text(strip=True) for card in cards] == ["Chemical peel", "Laser hair removal"]
    assert cards[0].select_one(".card__intro").get_text().startswith("A chemical peel applies")
    assert cards[0].h2.a["href"] == "/treatments/chemical-peel/"


def test_next_steps_hides_a_link_to_an_unpublished_page_but_keeps_the_phone(client, mesotherapy):
    form_page = Page.objects.get(slug="request-an-appointment")
    link = BeautifulSoup(client.get(mesotherapy.url).content, "html.parser").select_one(".next-steps__link")
    assert link["href"] == form_page.url

    form_page.unpublish()
    soup = BeautifulSoup(client.get(mesotherapy.url).content, "html.parser")

    assert soup.select_one(".next-steps__link") is None
    assert soup.select_one('.next-steps a[href^="tel:"]').get_text() == "+1 (217) 555-0142"


def rendered_templates(response):
    return {template.name for template in response.templates}


def test_the_article_body_is_rendered_once_per_publish_and_again_when_a_linked_page_moves(
    client, mesotherapy
):
    body_templates = {
        "treatment_pages/includes/article_body.html",
        "treatment_pages/blocks/next_steps_block.html",
    }
    first = client.get(mesotherapy.url)
    again = client.get(mesotherapy.url)
    assert body_templates <= rendered_templates(first)
    assert not body_templates & rendered_templates(again)  # the body fragment came from the cache
    assert first.content == again.content

    body = mesotherapy.body.raw_data
    paragraph = next(block for block in body if block["type"] == "paragraph")
    paragraph["value"] = "<p>Revised advice, published just now.</p>"
    mesotherapy.body = body
    mesotherapy.save_revision().publish()
    assert "Revised advice, published just now." in client.get(mesotherapy.url).content.decode()

    form_page = Page.objects.get(slug="request-an-appointment").specific
    form_page.slug = "book-a-visit"
    form_page.save_revision().publish()
    link = BeautifulSoup(client.get(mesotherapy.url).content, "html.parser").select_one(".next-steps__link")
    assert link["href"] == "/book-a-visit/"


def test_a_body_embedding_the_form_is_rendered_for_each_reader(client, article_with_form):
    client.get(article_with_form.url)
    again = client.get(article_with_form.url)

    assert "treatment_pages/includes/article_body.html" in rendered_templates(again)
