"""Patients sending appointment requests through the form page (CSRF enforced)."""

import logging
import re
import smtplib

import pytest
from django.core import mail
from django.core.signals import got_request_exception
from django.views.debug import SafeExceptionReporterFilter

from lead_forms.models import AppointmentFormPage, AppointmentSubmission
from tests.lead_forms.conftest import VALID_DATA, open_form, post_form

pytestmark = pytest.mark.django_db


def test_valid_request_is_stored_and_the_thank_you_page_shows_its_reference(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(csrf_client, form_page, client_ip, VALID_DATA, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0][1] == 303  # Post/Redirect/Get
    submission = AppointmentSubmission.objects.get()
    assert submission.page_id == form_page.pk
    assert not submission.is_spam
    assert submission.form_data["first_name"] == "Zelda"
    assert submission.form_data["receive_our_free_newsletter"] is True
    # Stored formatted as people read it (validated with phonenumbers), whatever punctuation was typed.
    assert submission.form_data["phone"] == "(217) 555-0199"
    assert "form-token" not in submission.form_data and "contact-website" not in submission.form_data
    html = response.content.decode()
    assert "Thank you, we have received your request" in html
    assert submission.reference in html
    assert submission.notification_status == AppointmentSubmission.NotificationStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["appointments@riverside-clinic.example"]


def test_invalid_request_comes_back_with_every_error_next_to_its_field_and_the_input_kept(
    csrf_client, form_page, client_ip
):
    data = {**VALID_DATA, "last_name": "", "email": "zelda-at-example", "phone": "call me maybe"}

    response = post_form(csrf_client, form_page, client_ip, data)

    assert response.status_code == 200
    assert not AppointmentSubmission.objects.exists()
    html = response.content.decode()
    # Each error sits with its field and is tied to the input for screen readers.
    for name in ("last_name", "email", "phone"):
        assert f'id="id_{name}_error"' in html
        assert f'href="#id_{name}"' in html  # the error summary links to the field
    assert 'aria-describedby="id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Enter an email address like name@example.com" in html
    assert "Enter a phone number using digits" in html
    assert "There are 3 problems with your request" in html
    # Everything typed is still there, including the invalid values.
    assert 'value="Zelda"' in html
    assert 'value="zelda-at-example"' in html
    assert 'value="call me maybe"' in html
    assert "Sensitive-comment-xyzzy about my knee</textarea>" in html
    assert re.search(r'<input type="radio" name="please_contact_me_by" value="Phone"[^>]* checked', html)
    assert re.search(r'<input type="checkbox" name="receive_our_free_newsletter"[^>]* checked', html)


def test_overlong_input_is_refused_with_a_clear_message(csrf_client, form_page, client_ip):
    response = post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "city": "x" * 201})

    assert "City must be 200 characters or fewer (it has 201)" in response.content.decode()
    assert not AppointmentSubmission.objects.exists()


def test_post_without_csrf_token_is_refused_and_nothing_is_stored(csrf_client, form_page, client_ip):
    tokens = open_form(csrf_client, form_page, client_ip)
    del tokens["csrfmiddlewaretoken"]

    response = post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)

    assert response.status_code == 403
    assert not AppointmentSubmission.objects.exists()


def test_mail_server_down_still_stores_the_request_and_thanks_the_patient(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)

    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        response = post_form(csrf_client, form_page, client_ip, VALID_DATA, follow=True)

    assert response.status_code == 200
    assert "Thank you, we have received your request" in response.content.decode()
    submission = AppointmentSubmission.objects.get()
    # Retried up to the limit (the test settings' immediate backend retries at once), then marked.
    assert submission.notification_status == AppointmentSubmission.NotificationStatus.FAILED
    assert caplog.text.count("Coordinator notification for appointment request") == 5
    assert "failed after 5 attempts (SMTPServerDisconnected)" in caplog.text
    for value in ("Zelda", "Quillfeather", "zelda.quill", "Sensitive-comment-xyzzy", "555"):
        assert value not in caplog.text


def test_notification_carries_no_patient_data(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_form(csrf_client, form_page, client_ip, VALID_DATA)

    submission = AppointmentSubmission.objects.get()
    (message,) = mail.outbox
    text = f"{message.subject}\n{message.body}"
    for value in [*VALID_DATA.values(), "2175550199", "555-0199", "zelda", "Quillfeather"]:
        if value in ("on", "Phone"):  # generic words the email legitimately contains ("Phone" is not)
            continue
        assert value.lower() not in text.lower(), value
    assert submission.reference in message.subject
    assert submission.reference in message.body
    assert form_page.title in message.body
    assert (
        f"http://testserver/admin/lead_forms/appointmentsubmission/inspect/{submission.pk}/" in message.body
    )


def test_patient_confirmation_has_only_the_editors_text_and_the_reference(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks
):
    form_page.send_confirmation = True
    form_page.confirmation_text = "We will be in touch soon."
    form_page.save()

    with django_capture_on_commit_callbacks(execute=True):
        post_form(csrf_client, form_page, client_ip, VALID_DATA)

    submission = AppointmentSubmission.objects.get()
    confirmation = next(message for message in mail.outbox if message.to == [VALID_DATA["email"]])
    assert confirmation.body == f"We will be in touch soon.\n\nYour reference: {submission.reference}"
    assert "knee" not in confirmation.body and "Zelda" not in confirmation.body


def test_error_reports_for_the_form_view_hide_posted_values(csrf_client, form_page, client_ip, monkeypatch):
    captured = {}

    def crash(self, form):
        raise RuntimeError("storage failed")

    def capture(sender, request, **kwargs):
        captured["post"] = SafeExceptionReporterFilter().get_post_parameters(request)

    monkeypatch.setattr(AppointmentFormPage, "process_form_submission", crash)
    csrf_client.raise_request_exception = False
    got_request_exception.connect(capture)
    try:
        response = post_form(csrf_client, form_page, client_ip, VALID_DATA)
    finally:
        got_request_exception.disconnect(capture)

    assert response.status_code == 500
    assert captured["post"]["first_name"] == "********************"
    assert captured["post"]["your_comments"] == "********************"


def test_logs_never_contain_field_values(csrf_client, form_page, client_ip, caplog):
    with caplog.at_level(logging.DEBUG):
        post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "contact-website": "http://spam"})
        post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "email": "bad"})

    assert "flagged as suspected spam" in caplog.text
    for value in ("Zelda", "Quillfeather", "Marblehead", "zelda.quill", "xyzzy", "http://spam"):
        assert value not in caplog.text
