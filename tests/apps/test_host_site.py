"""The apps in a host site that is not the reference site: its own base.html, no cms_site."""

import re

import pytest

from lead_forms.models import AppointmentSubmission

pytestmark = pytest.mark.django_db


def form_token(html):
    return re.search(r'name="form-token" value="([^"]+)"', html).group(1)


def test_article_renders_its_steps_and_the_embedded_form_inside_the_hosts_base_template(client, article):
    response = client.get(article.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Host site header" in html  # the host's base.html, not the reference site's
    for text in ("Avoid aspirin for a week", "Ask your doctor first", "Drink water"):
        assert text in html
    assert 'class="appointment-form"' in html


def test_form_page_takes_a_request_and_thanks_the_patient_with_its_reference(client, form_page, settings):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0
    token = form_token(client.get(form_page.url).content.decode())

    response = client.post(
        form_page.url,
        {"full_name": "Ada Patient", "email": "ada@example.com", "form-token": token},
        follow=True,
    )

    assert response.redirect_chain[0][1] == 303
    assert response.status_code == 200
    submission = AppointmentSubmission.objects.get()
    assert submission.reference in response.content.decode()
    assert "Host site header" in response.content.decode()


def test_a_base_template_named_in_settings_is_the_one_pages_extend(client, form_page, settings):
    settings.LEAD_FORMS_BASE_TEMPLATE = "alt_base.html"

    response = client.get(form_page.url)

    assert response.status_code == 200
    assert "Alternative layout" in response.content.decode()


def test_form_page_without_contact_settings_shows_no_contact_lines(client, form_page, settings):
    """lead_forms alone (no LEAD_FORMS_CONTACT_SETTINGS): the thank-you page works, without a phone."""
    settings.LEAD_FORMS_CONTACT_SETTINGS = None
    token = form_token(client.get(form_page.url).content.decode())
    response = client.post(
        form_page.url, {"full_name": "Ada", "email": "ada@example.com", "form-token": token}, follow=True
    )

    assert response.status_code == 200
    assert "call us on" not in response.content.decode()
