"""Webhooks: signed deliveries on publish, retried when the receiver fails, visible to administrators."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.factories import UserFactory
from treatment_pages.models import WebhookDelivery, WebhookEndpoint
from treatment_pages.ratings.votes import cast_vote
from treatment_pages.webhooks.delivery import verify


class Receiver:
    """A loopback HTTP server standing in for a front end's build hook."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        # shutdown() waits for the serving loop's next poll: 0.05 s rather than the default 0.5 s.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def events(self):
        return [json.loads(body)["type"] for _headers, body in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    started = []

    def start(statuses=()):
        started.append(Receiver(statuses))
        return started[-1]

    yield start
    for server in started:
        server.close()


def lowercase(headers):
    return {name.lower(): value for name, value in headers.items()}


def test_publish_delivers_a_signed_event_and_retries_after_a_500(
    mesotherapy, receiver, django_capture_on_commit_callbacks
):
    hook = receiver(statuses=[500])
    endpoint = WebhookEndpoint.objects.create(url=hook.url, events=["page.published"])

    mesotherapy.title = "Mesotherapy (updated)"
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.save_revision().publish()

    assert len(hook.requests) == 2, "the first answer was 500, so the delivery is retried"
    (first_headers, first_body), (headers, body) = hook.requests
    assert lowercase(first_headers)["webhook-id"] == lowercase(headers)["webhook-id"]
    assert verify(endpoint.secret, lowercase(headers), body)
    assert not verify("whsec_" + "A" * 44, lowercase(headers), body)
    payload = json.loads(body)
    assert payload["type"] == "page.published"
    assert payload["data"] == {
        "id": mesotherapy.pk,
        "type": "treatment_pages.TreatmentPage",
        "title": "Mesotherapy (updated)",
        "path": "/treatments/mesotherapy/",
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)


def test_a_receiver_that_keeps_failing_is_given_up_after_the_attempt_limit(
    mesotherapy, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    hook = receiver(statuses=[503, 503, 503, 503])
    WebhookEndpoint.objects.create(url=hook.url)

    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.save_revision().publish()

    assert len(hook.requests) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "HTTP 503")


def test_move_and_delete_carry_the_old_and_new_paths(
    mesotherapy, home_page, receiver, django_capture_on_commit_callbacks
):
    hook = receiver()
    WebhookEndpoint.objects.create(url=hook.url, events=["page.moved", "page.deleted"])

    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.move(home_page, pos="last-child")
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.refresh_from_db()
        mesotherapy.delete()

    moved, deleted = (json.loads(body)["data"] for _headers, body in hook.requests)
    assert (moved["old_path"], moved["new_path"]) == ("/treatments/mesotherapy/", "/mesotherapy/")
    assert deleted["old_path"] == "/mesotherapy/"


def test_rating_and_settings_changes_are_events_and_requests_never_are(
    mesotherapy, receiver, settings, django_capture_on_commit_callbacks, client
):
    hook = receiver()
    settings.WEBHOOK_URL = hook.url
    settings.WEBHOOK_SECRET = "whsec_" + "c2VjcmV0" * 4

    from treatment_pages.models import ClinicContactSettings

    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(mesotherapy, "voter-key", 4)
    with django_capture_on_commit_callbacks(execute=True):
        contact = ClinicContactSettings.objects.get()
        contact.phone = "+1 (217) 555-0199"
        contact.save()

    assert hook.events() == ["rating.changed", "settings.changed"]
    rating = json.loads(hook.requests[0][1])["data"]
    assert rating == {
        "page_id": mesotherapy.pk,
        "path": "/treatments/mesotherapy/",
        "count": 1,
        "average": 4.0,
    }
    for headers, body in hook.requests:
        assert verify(settings.WEBHOOK_SECRET, lowercase(headers), body)


def test_a_vote_on_a_site_without_webhooks_only_looks_for_endpoints(
    mesotherapy, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from treatment_pages.webhooks.delivery import _rating_changed

    settings.WEBHOOK_URL = ""
    WebhookEndpoint.objects.create(url="https://build.example/hook", events=["page.published"])
    cast_vote(mesotherapy, "voter-key", 4)

    # The endpoints query; the page and summary the event would carry are never read.
    with django_assert_num_queries(1), django_capture_on_commit_callbacks(execute=True):
        _rating_changed(sender=None, page_id=mesotherapy.pk)
    assert not WebhookDelivery.objects.exists()


def test_administrators_see_endpoints_and_deliveries_editors_do_not(client, mesotherapy):
    WebhookEndpoint.objects.create(url="https://build.example/hook", description="Static site build")
    WebhookDelivery.objects.create(
        url="https://build.example/hook",
        message_id="msg_1",
        event="page.published",
        payload={},
        status="failed",
    )
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)

    endpoints = client.get("/admin/webhook_endpoints/")
    deliveries = client.get("/admin/webhook_deliveries/")

    assert endpoints.status_code == 200 and "Static site build" in endpoints.content.decode()
    assert deliveries.status_code == 200 and "Failed" in deliveries.content.decode()
    assert client.get("/admin/webhook_deliveries/new/").status_code in {302, 403, 404}

    editor = UserFactory(is_staff=False)
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get("/admin/webhook_endpoints/").status_code in {302, 403}
