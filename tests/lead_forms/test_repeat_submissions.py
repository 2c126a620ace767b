"""A request is sent once: Post/Redirect/Get, a spent form token, and repeats that store nothing.

Patients double-click, reload the thank-you page, or go back and send the form again;
each of these must leave one request on file, and show the first request's reference.
A form token sent again with *other* answers is a bot reusing it: stored, flagged.
"""

import re
import time
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.core import mail, signing
from django.core.cache import cache

from lead_forms.models import AppointmentSubmission
from lead_forms.submissions import spam, thank_you
from tests.lead_forms.conftest import VALID_DATA, open_form, post_form

pytestmark = pytest.mark.django_db

API_URL = "/api/v3/forms/{}/submissions/"


def reference_in(response):
    match = re.search(r"AR-[0-9A-Z]{8}", response.content.decode())
    return match.group() if match else None


def thank_you_path(response):
    """The thank-you URL a stored request redirected to (path and query)."""
    assert response.status_code == 303, response.status_code
    url = urlparse(response["Location"])
    return f"{url.path}?{url.query}"


def token_of(location):
    return parse_qs(urlparse(location).query)["r"][0]


def link(page, token):
    return f"{page.url}thank-you/?{urlencode({'r': token})}"


# --- Post/Redirect/Get -------------------------------------------------------------------


def test_a_stored_request_redirects_to_a_thank_you_page_that_reloads_without_sending_again(
    csrf_client, form_page, client_ip
):
    response = post_form(csrf_client, form_page, client_ip, VALID_DATA)

    location = thank_you_path(response)
    assert location.startswith(f"{form_page.url}thank-you/?r=")
    submission = AppointmentSubmission.objects.get()
    for _reload in range(3):
        page = csrf_client.get(location, REMOTE_ADDR=client_ip)
        assert page.status_code == 200
        assert reference_in(page) == submission.reference
    assert AppointmentSubmission.objects.count() == 1


def test_the_thank_you_page_shows_the_reference_and_no_patient_data_and_is_never_cached(
    csrf_client, form_page, client_ip
):
    location = thank_you_path(post_form(csrf_client, form_page, client_ip, VALID_DATA))

    page = csrf_client.get(location, REMOTE_ADDR=client_ip)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Thank you, we have received your request" in html
    assert AppointmentSubmission.objects.get().reference in html
    for value in (
        "Zelda",
        "Quillfeather",
        "zelda.quill",
        "Marblehead",
        "555-0199",
        "2175550199",
        "(217) 555-0199",
        "knee",
    ):
        assert value not in html
        assert value not in location
    directives = {part.strip() for part in page["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives
    assert page["X-Robots-Tag"] == "noindex"
    assert re.search(r"<title>Request received \| Request an appointment</title>", html)


def test_the_thank_you_link_cannot_be_guessed_or_altered(csrf_client, form_page, client_ip, second_form):
    location = thank_you_path(post_form(csrf_client, form_page, client_ip, VALID_DATA))
    token = token_of(location)
    reference = AppointmentSubmission.objects.get().reference
    other_payload = thank_you.make_token(form_page.pk, "AR-22222222").split(":")[0]
    # An unsigned link naming the reference, another reference in a valid-looking
    # token, the same token on another form, a truncated signature: all unknown.
    forged = [
        link(form_page, reference),
        link(form_page, token.replace(token.split(":")[0], other_payload)),
        link(second_form, token),
        link(form_page, token[:-3]),
        link(form_page, ""),
        f"{form_page.url}thank-you/",
    ]
    for url in forged:
        response = csrf_client.get(url, REMOTE_ADDR=client_ip)
        assert response.status_code == 404, url
        assert reference not in response.content.decode()


def test_an_expired_thank_you_link_shows_no_reference(csrf_client, form_page, client_ip, settings):
    location = thank_you_path(post_form(csrf_client, form_page, client_ip, VALID_DATA))
    settings.LEAD_FORMS_THANK_YOU_SECONDS = 0
    time.sleep(1.1)

    response = csrf_client.get(location, REMOTE_ADDR=client_ip)

    assert response.status_code == 410
    assert reference_in(response) is None
    assert "This confirmation page has expired" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_thank_you_page_only_answers_reads(csrf_client, form_page, client_ip):
    tokens = open_form(csrf_client, form_page, client_ip)
    location = thank_you_path(post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens))

    response = csrf_client.post(location, {**tokens, **VALID_DATA}, REMOTE_ADDR=client_ip)

    assert response.status_code == 405
    assert AppointmentSubmission.objects.count() == 1


def test_no_shared_cache_may_store_a_thank_you_page(client, form_page, settings, client_ip):
    settings.PAGE_CACHE_SECONDS = 600
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
    location = thank_you_path(post_form(client, form_page, client_ip, VALID_DATA))

    response = client.get(location, REMOTE_ADDR=client_ip)

    assert response.status_code == 200
    # Whatever the URL, the response itself forbids storing it.
    cache_control = response["Cache-Control"]
    assert "public" not in cache_control and ("private" in cache_control or "no-store" in cache_control)


# --- The form page: one token, one request -------------------------------------------------


def test_sending_the_same_form_twice_stores_one_request_and_shows_its_reference(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks
):
    """A double click, or going back and sending again: same token, same answers."""
    tokens = open_form(csrf_client, form_page, client_ip)

    with django_capture_on_commit_callbacks(execute=True):
        first = post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)
        again = post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens, follow=True)

    submission = AppointmentSubmission.objects.get()
    assert not submission.is_spam
    assert again.redirect_chain[0][1] == 303
    assert again.status_code == 200
    assert reference_in(again) == submission.reference
    assert reference_in(csrf_client.get(thank_you_path(first), REMOTE_ADDR=client_ip)) == submission.reference
    assert len(mail.outbox) == 1  # the coordinator hears about it once


def test_the_same_answers_from_the_form_shown_again_are_the_same_request(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks
):
    """Back re-fetched the form (a new token) and the browser refilled it: sent again after
    the time-trap's minimum, it is still the request on file."""
    with django_capture_on_commit_callbacks(execute=True):
        first = post_form(csrf_client, form_page, client_ip, VALID_DATA)
        again = post_form(csrf_client, form_page, client_ip, VALID_DATA, follow=True)

    submission = AppointmentSubmission.objects.get()
    assert not submission.is_spam
    assert thank_you.read_token(form_page.pk, token_of(first["Location"])) == submission.reference
    assert again.redirect_chain[0][1] == 303
    assert reference_in(again) == submission.reference
    assert len(mail.outbox) == 1
    # Other answers are another request.
    assert post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "city": "Salem"}).status_code == 303
    assert AppointmentSubmission.objects.count() == 2


def test_the_sent_answers_record_holds_the_reference_under_a_keyed_hash(csrf_client, form_page, client_ip):
    post_form(csrf_client, form_page, client_ip, VALID_DATA)

    form = form_page.get_form(VALID_DATA, page=form_page, user=None)
    assert form.is_valid()
    digest = spam.answers_digest(form.get_submission_data())
    key = spam.SENT_ANSWERS_KEY.format(form_page.pk, digest)
    assert cache.get(key) == AppointmentSubmission.objects.get().reference
    for value in VALID_DATA.values():
        assert len(value) < 4 or value not in key


def test_answers_that_differ_only_in_how_they_were_typed_are_the_same_answers(
    csrf_client, form_page, client_ip
):
    tokens = open_form(csrf_client, form_page, client_ip)

    post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)
    post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "phone": "217-555-0199 "}, tokens=tokens)

    assert AppointmentSubmission.objects.count() == 1


def test_a_reused_token_with_other_answers_is_stored_flagged_as_spam(
    csrf_client, form_page, client_ip, django_capture_on_commit_callbacks
):
    tokens = open_form(csrf_client, form_page, client_ip)

    with django_capture_on_commit_callbacks(execute=True):
        post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)
        reused = post_form(
            csrf_client,
            form_page,
            client_ip,
            {**VALID_DATA, "first_name": "Botfarm"},
            tokens=tokens,
            follow=True,
        )

    first, second = AppointmentSubmission.objects.order_by("submit_time", "pk")
    assert not first.is_spam
    assert second.is_spam
    assert second.spam_reason == spam.REASON_TOKEN_REUSED == "Form token reused"
    assert second.form_data["first_name"] == "Botfarm"  # kept for staff to review
    assert second.reference != first.reference
    # The bot sees an ordinary thank-you page, with its own reference.
    assert reference_in(reused) == second.reference
    assert len(mail.outbox) == 1


def test_an_invalid_form_does_not_spend_its_token(csrf_client, form_page, client_ip):
    tokens = open_form(csrf_client, form_page, client_ip)

    invalid = post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "last_name": ""}, tokens=tokens)
    valid = post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)

    assert invalid.status_code == 200
    assert valid.status_code == 303
    submission = AppointmentSubmission.objects.get()
    assert not submission.is_spam


def test_the_spent_token_record_holds_a_keyed_hash_and_the_reference_only(csrf_client, form_page, client_ip):
    tokens = open_form(csrf_client, form_page, client_ip)

    post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)

    record = cache.get(spam._spent_key(tokens["form-token"]))
    assert set(record) == {"answers", "reference"}
    assert record["reference"] == AppointmentSubmission.objects.get().reference
    assert re.fullmatch(r"[0-9a-f]{64}", record["answers"])
    for value in VALID_DATA.values():
        assert value not in repr(record)


def test_a_token_is_spent_once_and_then_points_at_its_request(form_page, settings):
    issued = time.time() - 60
    token = spam.issue_time_token(form_page.pk, now=issued)
    digest = spam.answers_digest({"first_name": "Ada"})

    first = spam.claim_request(form_page.pk, token, digest, "AR-2222AAAA")
    repeat = spam.claim_request(form_page.pk, token, digest, "AR-3333BBBB")
    reuse = spam.claim_request(form_page.pk, token, spam.answers_digest({"first_name": "Bob"}), "AR-4444CCCC")

    assert first.spent and not first.repeat_of
    assert repeat.repeat_of == "AR-2222AAAA" and not repeat.spent
    assert not reuse.spent and not reuse.repeat_of


@pytest.mark.skipif("not __import__('django.conf').conf.settings.REDIS_URL", reason="reads a Redis TTL")
def test_the_spent_token_record_lasts_for_the_tokens_remaining_lifetime(form_page, settings):
    settings.LEAD_FORMS_TIME_TRAP_MAX_SECONDS = 3600
    token = spam.issue_time_token(form_page.pk, now=time.time() - 600)

    spam.claim_request(form_page.pk, token, spam.answers_digest({}), "AR-2222AAAA")

    import redis

    ttl = redis.Redis.from_url(settings.REDIS_URL).ttl(cache.make_key(spam._spent_key(token)))
    assert 3000 - 5 < ttl <= 3000 + spam.SPENT_TOKEN_GRACE_SECONDS


def test_a_cache_outage_stores_every_request(csrf_client, form_page, client_ip, monkeypatch, caplog):
    tokens = open_form(csrf_client, form_page, client_ip)

    def cache_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(spam.cache, "add", cache_down)
    post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)
    post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)

    assert AppointmentSubmission.objects.not_spam().count() == 2
    assert "Spent form token check failed (ConnectionError); request stored" in caplog.text


def test_a_request_that_fails_to_store_gives_its_token_back(csrf_client, form_page, client_ip, monkeypatch):
    tokens = open_form(csrf_client, form_page, client_ip)
    original = type(form_page).process_form_submission

    def fail_once(self, form, **kwargs):
        monkeypatch.setattr(type(form_page), "process_form_submission", original)
        raise RuntimeError("database went away")

    monkeypatch.setattr(type(form_page), "process_form_submission", fail_once)
    csrf_client.raise_request_exception = False
    assert post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens).status_code == 500

    # The patient sends again: stored, not taken for a repeat of the request that failed.
    assert post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens).status_code == 303
    submission = AppointmentSubmission.objects.get()
    assert not submission.is_spam


# --- The JSON API: the same pipeline --------------------------------------------------------


def api_token(client, page):
    return client.post(f"/api/v3/forms/{page.pk}/token/").json()["form_token"]


def api_answers(**changes):
    return {**VALID_DATA, "receive_our_free_newsletter": True, **changes}


def test_the_api_answers_a_repeated_request_with_the_first_reference(client, form_page, client_ip):
    body = {"answers": api_answers(), "form_token": api_token(client, form_page)}

    first = client.post(
        API_URL.format(form_page.pk), body, content_type="application/json", REMOTE_ADDR=client_ip
    )
    again = client.post(
        API_URL.format(form_page.pk), body, content_type="application/json", REMOTE_ADDR=client_ip
    )

    assert first.status_code == 201
    assert again.status_code == 200
    submission = AppointmentSubmission.objects.get()
    assert first.json()["reference"] == again.json()["reference"] == submission.reference


def test_the_api_flags_a_reused_token_with_other_answers(client, form_page, client_ip):
    token = api_token(client, form_page)
    url = API_URL.format(form_page.pk)

    client.post(url, {"answers": api_answers(), "form_token": token}, content_type="application/json")
    reused = client.post(
        url,
        {"answers": api_answers(first_name="Other"), "form_token": token},
        content_type="application/json",
    )

    assert reused.status_code == 201
    flagged = AppointmentSubmission.objects.get(reference=reused.json()["reference"])
    assert flagged.is_spam and flagged.spam_reason == spam.REASON_TOKEN_REUSED


def test_a_token_spent_on_the_page_is_spent_for_the_api_too(csrf_client, client, form_page, client_ip):
    tokens = open_form(csrf_client, form_page, client_ip)
    post_form(csrf_client, form_page, client_ip, VALID_DATA, tokens=tokens)

    again = client.post(
        API_URL.format(form_page.pk),
        {"answers": api_answers(), "form_token": tokens["form-token"]},
        content_type="application/json",
    )

    assert again.status_code == 200
    assert again.json()["reference"] == AppointmentSubmission.objects.get().reference


def test_a_token_is_still_checked_without_any_state(form_page):
    """Verifying a token needs no cache: only spending one does."""
    token = spam.issue_time_token(form_page.pk, now=time.time() - 60)

    assert spam.check_time_token(form_page.pk, token) == ""
    assert spam.check_time_token(form_page.pk, token + "x") == spam.REASON_TOKEN_FORGED
    with pytest.raises(signing.BadSignature):
        thank_you.read_token(form_page.pk, token)  # a form token is no thank-you link


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sends_of_one_form_store_one_request(form_page, make_client_ip):
    """A double click lands two requests at once: the token is spent by exactly one."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django.test import RequestFactory

    senders = 4
    token = spam.issue_time_token(form_page.pk, now=time.time() - 60)
    ips = [make_client_ip() for _ in range(senders)]
    barrier = threading.Barrier(senders)

    def send(ip):
        try:
            request = RequestFactory().post(
                form_page.url, {**VALID_DATA, "form-token": token}, REMOTE_ADDR=ip
            )
            barrier.wait()
            return form_page.submit(request.POST, request).reference
        finally:
            connection.close()

    with ThreadPoolExecutor(senders) as pool:
        references = list(pool.map(send, ips))

    submission = AppointmentSubmission.objects.get()
    assert not submission.is_spam
    assert set(references) == {submission.reference}
