"""Editors at work: creating articles through the real Wagtail admin forms."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield
from wagtail_factories import ImageFactory

from tests.factories import UserFactory
from treatment_pages.models import ClinicContactSettings, TreatmentPage


def list_block(values):
    """ListBlock form data: each child carries its value, order and deleted flag."""
    data = {
        str(index): {"value": value, "order": str(index), "deleted": "", "id": ""}
        for index, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


@pytest.fixture
def editor_client(client, db):
    client.force_login(UserFactory(username="editor", is_superuser=True, is_staff=True))
    return client


def article_form_data(image, next_page):
    return nested_form_data(
        {
            "title": "Microneedling",
            "slug": "microneedling",
            "intro": "Microneedling makes tiny channels in the skin to trigger its natural repair.",
            "hero_image": "",
            "hero_image_alt": "",
            "last_reviewed": "2026-03-14",
            "references": inline_formset([]),
            "body": streamfield(
                [
                    ("heading", {"text": "How it works", "level": "h2"}),
                    ("paragraph", rich_text("<p>A pen with <b>fine needles</b> passes over the skin.</p>")),
                    (
                        "prevention_steps",
                        {
                            "title": "Before your session",
                            "steps": list_block(
                                [
                                    {
                                        "text": "Stop retinol creams",
                                        # One sub-point per line in a single text area.
                                        "sub_points": "Three days before\r\n\r\n  Ask about others ",
                                    },
                                    {"text": "Arrive without make-up", "sub_points": ""},
                                ]
                            ),
                        },
                    ),
                    (
                        "image",
                        {"image": str(image.pk), "alt_text": "A microneedling pen", "caption": "The pen"},
                    ),
                    (
                        "callout",
                        {
                            "style": "warning",
                            "title": "Not during acne flare-ups",
                            "text": rich_text("<p>Wait until active spots have healed.</p>"),
                        },
                    ),
                    ("facts_list", {"title": "Side effects", "items": list_block(["Redness", "Dry skin"])}),
                    (
                        "next_steps",
                        {
                            "heading": "Book now",
                            "text": "See whether microneedling suits your skin.",
                            "page": str(next_page.pk),
                            "link_text": "Request an appointment",
                        },
                    ),
                ]
            ),
        }
    )


@pytest.fixture
def appointment_page(demo_site):
    from wagtail.models import Page

    return Page.objects.get(slug="request-an-appointment")


def test_editor_creates_an_article_with_every_block_type_through_the_admin(
    editor_client, treatment_index, appointment_page
):
    image = ImageFactory(title="Pen")
    data = article_form_data(image, next_page=appointment_page)
    data["action-publish"] = "action-publish"
    add_url = reverse("wagtailadmin_pages:add", args=["treatment_pages", "treatmentpage", treatment_index.pk])

    response = editor_client.post(add_url, data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    article = TreatmentPage.objects.get(slug="microneedling")
    assert article.live
    assert [block.block_type for block in article.body] == [
        "heading",
        "paragraph",
        "prevention_steps",
        "image",
        "callout",
        "facts_list",
        "next_steps",
    ]

    page = editor_client.get(article.url)
    assert page.status_code == 200
    soup = BeautifulSoup(page.content, "html.parser")
    body = soup.select_one(".article__body")
    assert body.find("h2", string="How it works")
    assert body.select_one(".block-paragraph b").get_text() == "fine needles"
    steps = body.select("ol.steps > li")
    assert [step.select_one(".steps__text").get_text() for step in steps] == [
        "Stop retinol creams",
        "Arrive without make-up",
    ]
    assert [li.get_text() for li in steps[0].select("ul > li")] == ["Three days before", "Ask about others"]
    assert steps[1].find("ul") is None
    figure = body.select_one("figure.block-image")
    assert figure.img["alt"] == "A microneedling pen"
    assert figure.figcaption.get_text() == "The pen"
    assert "Wait until active spots have healed." in body.select_one("aside.callout--warning").get_text()
    assert [li.get_text() for li in body.select(".block-facts li")] == ["Redness", "Dry skin"]
    next_steps = body.select_one(".next-steps")
    assert next_steps.select_one("a.next-steps__link")["href"] == appointment_page.url
    assert "+1 (217) 555-0142" in next_steps.get_text()
    # A typed review date is not a clinical sign-off: the page says when it was published.
    text = soup.get_text(" ", strip=True)
    assert f"Article last updated: {timezone.localdate():%-d %B %Y}" in text
    assert "14 March 2026" not in text


def test_admin_form_reports_a_missing_alt_text_next_to_the_image_block(
    editor_client, treatment_index, appointment_page
):
    image = ImageFactory(title="Pen")
    data = article_form_data(image, next_page=appointment_page)
    data["body-3-value-alt_text"] = ""
    data["action-publish"] = "action-publish"
    add_url = reverse("wagtailadmin_pages:add", args=["treatment_pages", "treatmentpage", treatment_index.pk])

    response = editor_client.post(add_url, data)

    assert response.status_code == 200
    assert not TreatmentPage.objects.filter(slug="microneedling").exists()
    assert "body" in response.context["form"].errors


def test_editing_clinic_contact_settings_changes_footer_and_next_steps(editor_client, mesotherapy):
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["treatment_pages", "cliniccontactsettings", site.pk])
    form = editor_client.get(url)
    assert form.status_code == 200

    response = editor_client.post(
        url,
        {
            "clinic_name": "Lakeside Dermatology",
            "street_address": "7 Harbour Lane",
            "city": "Portland",
            "state": "ME",
            "postcode": "04101",
            "phone": "+1 207 555 0199",
            "email": "hello@lakeside.example",
            "opening_hours": "Monday to Friday: 9am - 5pm",
        },
    )

    assert response.status_code == 302
    assert ClinicContactSettings.for_site(site).clinic_name == "Lakeside Dermatology"
    soup = BeautifulSoup(editor_client.get(mesotherapy.url).content, "html.parser")
    footer = soup.select_one("footer .clinic-contact").get_text(" ", strip=True)
    assert "Lakeside Dermatology" in footer
    assert "7 Harbour Lane" in footer
    assert "Portland, ME 04101" in footer
    assert "Riverside" not in footer
    next_steps = soup.select_one(".next-steps")
    assert next_steps.select_one('a[href^="tel:"]')["href"] == "tel:+12075550199"
    assert next_steps.select_one('a[href^="mailto:"]')["href"] == "mailto:hello@lakeside.example"


def test_clinic_contact_settings_reject_a_malformed_phone_number(editor_client, demo_site):
    url = reverse("wagtailsettings:edit", args=["treatment_pages", "cliniccontactsettings", demo_site.pk])

    response = editor_client.post(url, {"clinic_name": "Lakeside", "phone": "call me maybe", "email": ""})

    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert ClinicContactSettings.for_site(demo_site).phone == "+1 (217) 555-0142"


def test_next_steps_refuses_a_page_that_is_not_an_appointment_form_next_to_the_field(
    editor_client, treatment_index, home_page
):
    image = ImageFactory(title="Pen")
    data = article_form_data(image, next_page=home_page)
    data["action-publish"] = "action-publish"
    add_url = reverse("wagtailadmin_pages:add", args=["treatment_pages", "treatmentpage", treatment_index.pk])

    response = editor_client.post(add_url, data)

    assert response.status_code == 200  # the form comes back, nothing published
    assert not TreatmentPage.objects.filter(slug="microneedling").exists()
    errors = response.context["form"].errors["body"].as_data()[0]
    page_error = errors.block_errors[6].block_errors["page"]
    assert "Choose a page of type: appointment form page" in " ".join(page_error.messages)
    assert "is a home page" in " ".join(page_error.messages)


def test_next_steps_chooser_offers_appointment_form_pages_only(editor_client, mesotherapy):
    from lead_forms.models import AppointmentFormPage

    block = TreatmentPage._meta.get_field("body").stream_block.child_blocks["next_steps"].child_blocks["page"]
    assert block.widget.target_models == [AppointmentFormPage]
    # The editor's chooser is told to offer that type only (its URL carries page_type).
    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[mesotherapy.pk]))
    assert response.status_code == 200
    assert "lead_forms.appointmentformpage" in response.content.decode()


def test_next_steps_chooser_opens_where_the_appointment_forms_are(editor_client, home_page):
    from lead_forms.models import AppointmentFormPage

    response = editor_client.get(
        reverse("wagtailadmin_choose_page"), {"page_type": "lead_forms.appointmentformpage"}
    )

    assert response.status_code == 200
    # Wagtail opens the chooser at the forms' nearest common ancestor: here the home page.
    assert response.context["parent_page"].pk == home_page.pk
    assert AppointmentFormPage.objects.get().title in response.content.decode()
