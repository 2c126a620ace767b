"""Spam defences: what they catch is stored flagged, silently, and never notifies anyone."""

import re
import time

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from lead_forms.models import AppointmentSubmission
from lead_forms.submissions import spam
from tests.factories import UserFactory
from tests.lead_forms.conftest import VALID_DATA, open_form, post_form

pytestmark = pytest.mark.django_db


def submit(client, page, ip, data=None, **token_override):
    tokens = open_form(client, page, ip)
    tokens.update(token_override)
    return post_form(client, page, ip, data or VALID_DATA, tokens=tokens, follow=True)


def assert_stored_as_spam(response, reason):
    # The bot sees the ordinary thank-you page: nothing tells it what gave it away.
    assert response.status_code == 200
    assert "Thank you, we have received your request" in response.content.decode()
    submission = AppointmentSubmission.objects.get()
    assert submission.is_spam
    assert submission.spam_reason == reason
    assert submission.notification_status == AppointmentSubmission.NotificationStatus.NOT_SENT
    assert mail.outbox == []
    return submission


def test_honeypot_filled_is_stored_as_spam_and_sends_no_mail(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_form(
            csrf_client, form_page, client_ip, {**VALID_DATA, "contact-website": "http://x.test"}, follow=True
        )

    submission = assert_stored_as_spam(response, spam.REASON_HONEYPOT)
    assert callbacks == []
    assert submission.form_data["first_name"] == "Zelda"  # kept, so staff can rescue a real patient


def test_honeypot_is_hidden_from_people_and_screen_readers_but_present_for_bots(client, form_page):
    html = client.get(form_page.url).content.decode()

    # hidden: hidden by the page's own markup, whatever stylesheet the host has (or none).
    start = html.index('<div class="form-honeypot" hidden aria-hidden="true">')
    honeypot = html[start : html.index("</div>", start)]
    assert 'name="contact-website"' in honeypot
    assert 'tabindex="-1"' in honeypot
    assert 'autocomplete="off"' in honeypot


@override_settings(LEAD_FORMS_TIME_TRAP_MIN_SECONDS=3)
def test_form_sent_faster_than_a_person_can_type_is_spam(csrf_client, form_page, client_ip):
    response = submit(csrf_client, form_page, client_ip)

    assert_stored_as_spam(response, spam.REASON_TOO_FAST)


@override_settings(LEAD_FORMS_TIME_TRAP_MIN_SECONDS=3)
def test_form_sent_after_the_minimum_time_is_accepted(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks
):
    shown_five_seconds_ago = spam.issue_time_token(form_page.pk, now=time.time() - 5)

    with django_capture_on_commit_callbacks(execute=True):
        submit(csrf_client, form_page, client_ip, **{"form-token": shown_five_seconds_ago})

    submission = AppointmentSubmission.objects.get()
    assert not submission.is_spam
    assert len(mail.outbox) == 1


@override_settings(LEAD_FORMS_TIME_TRAP_MAX_SECONDS=3600)
def test_form_token_older_than_the_maximum_is_spam(csrf_client, form_page, client_ip):
    shown_two_hours_ago = spam.issue_time_token(form_page.pk, now=time.time() - 7200)

    response = submit(csrf_client, form_page, client_ip, **{"form-token": shown_two_hours_ago})

    assert_stored_as_spam(response, spam.REASON_TOO_OLD)


@pytest.mark.parametrize(
    "forge",
    [
        # A bot rewriting the timestamp to look older: the signature no longer matches.
        lambda token, page_id: token.replace(token.split(":")[0], spam.issue_time_token(0).split(":")[0]),
        # A token signed for another form.
        lambda token, page_id: spam.issue_time_token(page_id + 1000, now=time.time() - 60),
        lambda token, page_id: "not-a-token",
    ],
    ids=["tampered", "other-form", "garbage"],
)
def test_forged_form_token_is_spam(csrf_client, form_page, client_ip, forge):
    token = open_form(csrf_client, form_page, client_ip)["form-token"]

    response = submit(csrf_client, form_page, client_ip, **{"form-token": forge(token, form_page.pk)})

    assert_stored_as_spam(response, spam.REASON_TOKEN_FORGED)


def test_missing_form_token_is_spam(csrf_client, form_page, client_ip):
    response = submit(csrf_client, form_page, client_ip, **{"form-token": ""})

    assert_stored_as_spam(response, spam.REASON_TOKEN_MISSING)


def test_staff_submission_list_hides_spam_unless_asked(client, form_page, client_ip):
    AppointmentSubmission.objects.create(page=form_page, form_data={**VALID_DATA, "first_name": "Realperson"})
    AppointmentSubmission.objects.create(
        page=form_page, form_data={**VALID_DATA, "first_name": "Botfarm"}, is_spam=True, spam_reason="test"
    )
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("wagtailforms:list_submissions", args=[form_page.pk])

    default = client.get(url, follow=True).content.decode()
    only_spam = client.get(url, {"spam": "only"}, follow=True).content.decode()
    export = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode()

    assert "Realperson" in default and "Botfarm" not in default
    assert "Botfarm" in only_spam and "Realperson" not in only_spam
    assert "Realperson" in export and "Botfarm" not in export


def test_edit_screen_counts_only_real_requests(client, form_page):
    AppointmentSubmission.objects.create(page=form_page, form_data=VALID_DATA)
    AppointmentSubmission.objects.create(page=form_page, form_data=VALID_DATA, is_spam=True)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    html = client.get(reverse("wagtailadmin_pages:edit", args=[form_page.pk])).content.decode()

    assert re.search(r"Total submissions</span>\s*<a[^>]*>1</a>", html)
