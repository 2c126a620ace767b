"""A host whose LANGUAGE_CODE is "es" shows patients the form, the rating widget and the
thank-you page in Spanish (the apps' locale/es translations), in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def spanish(settings):
    settings.LANGUAGE_CODE = "es"


def test_a_spanish_host_shows_the_form_rating_widget_and_thank_you_page_in_spanish(
    spanish, live_server, browser_page, article, form_page
):
    page = browser_page

    page.goto(live_server.url + article.url)
    rating = page.locator("#rating")
    assert rating.locator("h2").inner_text() == "Valore este artículo"
    assert rating.locator("button[type=submit]").inner_text() == "Enviar valoración"
    assert rating.locator("legend").inner_text() == "Su valoración"

    page.goto(live_server.url + form_page.url)
    assert "indica un campo obligatorio" in page.locator(".appointment-form__required-note").inner_text()
    page.get_by_label("Full name").fill("Ada Paciente")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Enviar solicitud").click()

    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Gracias, hemos recibido su solicitud"
    assert "Su número de referencia es AR-" in page.locator(".confirmation-panel__reference").inner_text()
    save_screenshot(page, "spanish-thank-you", full_page=True)


def test_a_spanish_host_explains_form_errors_in_spanish(spanish, live_server, browser_page, form_page):
    page = browser_page
    page.goto(live_server.url + form_page.url)

    page.get_by_role("button", name="Enviar solicitud").click()

    page.wait_for_selector("#error-summary")
    assert page.locator("#error-summary-title").inner_text() == "Hay 2 problemas con su solicitud"
    # Each message names its field, in Spanish around the editor's own label.
    summary = page.locator("#error-summary").inner_text()
    assert "Introduzca su full name" in summary
    assert "Introduzca su email" in summary


def test_the_rating_widget_speaks_spanish_before_and_after_a_vote(
    spanish, settings, live_server, browser_page, article
):
    # Every browser vote comes from 127.0.0.1; the per-network limits are tested elsewhere.
    settings.RATINGS_VOTE_RATE = "10000/m"
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 10000
    page = browser_page
    page.goto(live_server.url + article.url)
    rating = page.locator("#rating")
    expect(rating.locator("[data-rating-hint]")).to_have_text(
        "Seleccione una estrella para valorar. Con el teclado, elija con las flechas y pulse Intro."
    )

    rating.locator("label[for$='-4']").click()

    expect(rating.get_by_role("status")).to_have_text("Gracias: ha valorado esta página con 4 estrellas.")
    expect(rating.locator("[data-rating-text]")).to_have_text("4.0 de 5, 1 valoración")

    # A reader who comes back sees their own score, in Spanish.
    page.reload()
    expect(rating.locator("[data-rating-own]")).to_have_text(
        "Ha valorado esta página con 4 estrellas. Elija de nuevo para cambiar su valoración."
    )
