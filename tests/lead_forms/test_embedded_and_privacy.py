"""The form embedded in an article's "Next steps", and what the form pages leave out."""

import re

import pytest

from lead_forms.models import AppointmentSubmission
from tests.lead_forms.conftest import VALID_DATA, hidden_value

pytestmark = pytest.mark.django_db


def test_article_embeds_the_form_posting_to_the_form_page(client, article_with_form, form_page):
    html = client.get(article_with_form.url).content.decode()

    assert f'<form class="appointment-form" action="{form_page.url}" method="post" novalidate>' in html
    assert 'name="csrfmiddlewaretoken"' in html and 'name="form-token"' in html
    assert 'name="first_name"' in html and "denotes a required field" in html


def test_next_steps_without_show_form_shows_only_the_link(client, mesotherapy, form_page):
    html = client.get(mesotherapy.url).content.decode()

    assert f'href="{form_page.url}"' in html
    assert 'class="appointment-form"' not in html


def test_embedded_form_errors_show_on_the_form_page_with_input_kept(
    csrf_client, article_with_form, form_page, client_ip, django_capture_on_commit_callbacks
):
    html = csrf_client.get(article_with_form.url, REMOTE_ADDR=client_ip).content.decode()
    tokens = {name: hidden_value(html, name) for name in ("csrfmiddlewaretoken", "form-token")}

    invalid = csrf_client.post(form_page.url, {**tokens, **VALID_DATA, "email": ""}, REMOTE_ADDR=client_ip)
    with django_capture_on_commit_callbacks(execute=True):
        valid = csrf_client.post(form_page.url, {**tokens, **VALID_DATA}, REMOTE_ADDR=client_ip, follow=True)

    invalid_html = invalid.content.decode()
    assert f"<h1>{form_page.title}</h1>" in invalid_html
    assert 'id="id_email_error"' in invalid_html and 'value="Quillfeather"' in invalid_html
    assert "Thank you, we have received your request" in valid.content.decode()
    submission = AppointmentSubmission.objects.get()
    assert not submission.is_spam
    assert submission.notification_status == AppointmentSubmission.NotificationStatus.SENT


def _external_resources(html):
    return re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html)


def test_form_and_thank_you_pages_load_nothing_from_third_parties(csrf_client, form_page, client_ip):
    form_html = csrf_client.get(form_page.url, REMOTE_ADDR=client_ip).content.decode()
    tokens = {name: hidden_value(form_html, name) for name in ("csrfmiddlewaretoken", "form-token")}
    thanks_html = csrf_client.post(
        form_page.url, {**tokens, **VALID_DATA}, REMOTE_ADDR=client_ip, follow=True
    ).content.decode()

    assert "Thank you" in thanks_html
    for html in (form_html, thanks_html):
        # Only the canonical link may be absolute, and it points at this site.
        external = [url for url in _external_resources(html) if not url.startswith("http://localhost/")]
        assert external == []
        assert "<iframe" not in html
