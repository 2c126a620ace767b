"""The clinic settings' appointment page: a header link on every page and the home page's call to action."""

import pytest
from django.core.exceptions import ValidationError
from playwright.sync_api import expect

from lead_forms.models import AppointmentFormPage
from treatment_pages.models import ClinicContactSettings

CTA = '<a class="button button--primary" href="/request-an-appointment/">Request an appointment</a>'
HEADER_LINK = '<a class="site-nav__cta" href="/request-an-appointment/"'


@pytest.fixture
def form_page(demo_site):
    return AppointmentFormPage.objects.get(slug="request-an-appointment")


def contact_settings(site):
    return ClinicContactSettings.for_site(site)


@pytest.mark.django_db
def test_the_demo_links_the_header_and_home_page_to_the_appointment_form(
    client, demo_site, form_page, mesotherapy
):
    assert contact_settings(demo_site).appointment_page_id == form_page.pk

    home = client.get("/")
    article = client.get(mesotherapy.url)

    assert home.status_code == article.status_code == 200
    assert HEADER_LINK in home.content.decode()
    assert CTA in home.content.decode()
    assert HEADER_LINK in article.content.decode()


@pytest.mark.django_db
def test_the_header_link_is_marked_current_on_the_form_page(client, form_page):
    html = client.get(form_page.url).content.decode()

    assert f'{HEADER_LINK} aria-current="page">' in html


@pytest.mark.django_db
def test_no_link_without_an_appointment_page_or_when_it_is_unpublished(client, demo_site, form_page):
    form_page.unpublish()
    assert HEADER_LINK not in client.get("/").content.decode()

    contact = contact_settings(demo_site)
    contact.appointment_page = None
    contact.save()
    html = client.get("/").content.decode()
    assert "site-nav__cta" not in html and "button--primary" not in html


@pytest.mark.django_db
def test_only_an_appointment_form_can_be_the_appointment_page(demo_site, mesotherapy, form_page):
    contact = contact_settings(demo_site)
    contact.appointment_page = mesotherapy

    with pytest.raises(ValidationError) as error:
        contact.full_clean()

    assert "appointment_page" in error.value.message_dict
    contact.appointment_page = form_page
    contact.full_clean()


@pytest.mark.django_db
def test_editors_set_the_appointment_page_in_the_clinic_settings(client, demo_site, form_page, mesotherapy):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = f"/admin/settings/treatment_pages/cliniccontactsettings/{demo_site.pk}/"

    edit = client.get(url)

    assert edit.status_code == 200
    html = edit.content.decode()
    assert 'name="appointment_page"' in html
    assert "lead_forms.appointmentformpage" in html  # the chooser offers form pages only


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_patient_finds_the_form_from_the_header_and_the_home_page(live_server, browser_page, form_page):
    page = browser_page
    page.goto(live_server.url + "/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Request an appointment").click()
    expect(page.get_by_role("heading", level=1, name="Request an appointment")).to_be_visible()
    expect(page.get_by_role("button", name="Send request")).to_be_visible()

    page.goto(live_server.url + "/")
    page.get_by_role("main").get_by_role("link", name="Request an appointment").click()
    expect(page.get_by_role("button", name="Send request")).to_be_visible()
    assert page.url == live_server.url + form_page.url
