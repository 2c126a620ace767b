"""The appointment form's sending rules on the minimal host: what the rate limit counts,
repeats of a stored request, and the page a refused send gets."""

import re

import pytest
from bs4 import BeautifulSoup

from lead_forms.models import AppointmentSubmission

pytestmark = pytest.mark.django_db

ERROR_SUMMARY_JS = "/static/lead_forms/js/error-summary.js"


def form_token(client, page):
    return re.search(r'name="form-token" value="([^"]+)"', client.get(page.url).content.decode()).group(1)


def send(client, page, **answers):
    return client.post(page.url, {**answers, "form-token": form_token(client, page)})


def scripts(response):
    return [tag["src"] for tag in BeautifulSoup(response.content, "html.parser").find_all("script", src=True)]


def test_mistakes_do_not_use_up_the_rate_limit(client, form_page, settings):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0
    for _ in range(6):
        response = send(client, form_page, full_name="", email="ada@")
        assert response.status_code == 200
        assert 'id="error-summary"' in response.content.decode()

    statuses = [
        send(client, form_page, full_name=f"Patient {n}", email="p@example.com").status_code for n in range(6)
    ]

    assert statuses == [303] * 5 + [429]
    assert AppointmentSubmission.objects.count() == 5


def test_the_same_answers_sent_from_the_form_shown_again_are_the_same_request(client, form_page, settings):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 0
    first = send(client, form_page, full_name="Ada Patient", email="ada@example.com")

    again = client.get(send(client, form_page, full_name="Ada Patient", email="ada@example.com")["Location"])

    assert first.status_code == 303
    assert again.status_code == 200
    submission = AppointmentSubmission.objects.get()
    assert submission.reference in again.content.decode()


def test_pages_answering_a_refused_send_load_the_script_that_keeps_back_and_reload_from_resending(
    client, form_page, settings
):
    """The script turns the page's history entry into a visit of the form (see error-summary.js)."""
    invalid = send(client, form_page, full_name="", email="")
    assert invalid.status_code == 200
    assert ERROR_SUMMARY_JS in scripts(invalid)

    settings.LEAD_FORMS_RATE_LIMIT = "0/m"
    refused = send(client, form_page, full_name="Ada Patient", email="ada@example.com")
    assert refused.status_code == 429
    assert ERROR_SUMMARY_JS in scripts(refused)
    assert ERROR_SUMMARY_JS not in scripts(client.get(form_page.url))
