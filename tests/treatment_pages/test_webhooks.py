"""Webhooks: signed deliveries on publish, retried when the receiver fails, visible to administrators."""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.factories import UserFactory
from treatment_pages.models import WebhookDelivery, WebhookEndpoint
from treatment_pages.ratings.votes import cast_vote
from treatment_pages.webhooks import targets as webhook_targets
from treatment_pages.webhooks.delivery import deliver_webhook, sign
from treatment_pages.webhooks.secrets import new_webhook_secret

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loopback_receivers_allowed(settings):
    """The test receivers listen on loopback, which production refuses: allow-listed as a host would."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def verify(secret, headers, body):
    """What a receiver does, through the Standard Webhooks package (timestamp tolerance included)."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


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
    assert (delivery.status, delivery.last_error) == ("failed", "HTTP 503 from receiver")


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
    settings.WEBHOOK_SECRET = "whsec_" + "c2VjcmV0" * 4  # 24 bytes

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


# --- Signing ----------------------------------------------------------------------------------


def hand_signed(secret, message_id, timestamp, body):
    """The Standard Webhooks signature written out from the specification, to compare with the package's."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    "body", [b"{}", json.dumps({"type": "page.published", "data": {"t": "\u00e9"}}).encode()]
)
def test_signatures_made_by_the_package_are_byte_identical_to_the_specification(body):
    secret = new_webhook_secret()

    assert sign(secret, "msg_1", "1700000000", body) == hand_signed(secret, "msg_1", "1700000000", body)


def test_a_receiver_using_the_package_refuses_old_and_forged_deliveries():
    secret, body = new_webhook_secret(), b'{"type":"page.published"}'
    now = str(int(time.time()))
    good = {
        "webhook-id": "msg_1",
        "webhook-timestamp": now,
        "webhook-signature": sign(secret, "msg_1", now, body),
    }
    old_time = str(int(time.time()) - 3600)
    old = {**good, "webhook-timestamp": old_time, "webhook-signature": sign(secret, "msg_1", old_time, body)}
    wrong_version = {**good, "webhook-signature": "v9," + good["webhook-signature"].split(",", 1)[1]}
    not_a_time = {**good, "webhook-timestamp": "soon"}

    assert verify(secret, good, body)
    assert not verify(secret, old, body)
    assert not verify(secret, wrong_version, body)
    assert not verify(secret, not_a_time, body)
    assert not verify(secret, good, body + b" ")


# --- Where deliveries may go ------------------------------------------------------------------


@pytest.fixture
def dns(monkeypatch):
    """Host names resolving to the addresses a test gives them (nothing here reaches a real resolver)."""
    answers = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers[host]
            ]
        if host.endswith(".example"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(webhook_targets.socket, "getaddrinfo", getaddrinfo)
    return answers


REFUSED_URLS = [
    "ftp://build.example/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "http://127.0.0.1:6379/",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://0.0.0.0:8000/",
    "http://[::]/",
    "http://[::1]:8000/",
    "http://[::ffff:127.0.0.1]/",
    "http://10.0.0.5/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "https://user:pass@build.example/hook",
    "http://internal.example/hook",  # resolves to a private address
    "http://mixed.example/hook",  # one public and one private answer
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_urls_that_are_not_public_http_are_refused_when_saved(settings, dns, url):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    dns["internal.example"] = ["10.1.2.3"]
    dns["mixed.example"] = ["93.184.216.34", "127.0.0.1"]

    with pytest.raises(ValidationError) as refused:
        WebhookEndpoint(url=url).full_clean()

    assert "url" in refused.value.message_dict


@pytest.mark.parametrize(
    "url", ["https://build.example/hook", "https://93.184.216.34/hook", "http://public.example:8080/x?y=1"]
)
def test_public_urls_and_names_not_resolving_yet_are_accepted(settings, dns, url):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    dns["public.example"] = ["93.184.216.34", "2606:2800:220:1::1"]

    WebhookEndpoint(url=url).full_clean()


def test_an_allow_listed_network_may_be_saved(settings, dns):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    dns["builder.example"] = ["10.20.0.9"]

    WebhookEndpoint(url="http://builder.example/hook").full_clean()
    with pytest.raises(ValidationError):
        WebhookEndpoint(url="http://10.21.0.9/hook").full_clean()


def test_a_host_that_resolves_to_a_private_address_by_delivery_time_is_never_contacted(
    settings, dns, receiver, mesotherapy, django_capture_on_commit_callbacks
):
    hook = receiver()
    dns["build.example"] = ["93.184.216.34"]
    endpoint = WebhookEndpoint.objects.create(url=hook.url.replace("127.0.0.1", "build.example"))
    endpoint.full_clean()  # public when saved
    dns["build.example"] = ["127.0.0.1"]  # DNS changed since (rebinding)
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.save_revision().publish()

    assert hook.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1), "a refusal is not retried"
    assert delivery.last_error == "refused: the host is not a public address"


def test_with_the_network_allow_listed_the_named_host_receives_the_delivery_at_the_checked_address(
    dns, receiver, mesotherapy, django_capture_on_commit_callbacks
):
    hook = receiver()
    dns["build.example"] = ["127.0.0.1"]
    WebhookEndpoint.objects.create(url=hook.url.replace("127.0.0.1", "build.example"))

    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.save_revision().publish()

    ((headers, _body),) = hook.requests
    assert headers["Host"] == f"build.example:{hook.server.server_port}"
    assert WebhookDelivery.objects.get().status == "delivered"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_delivery_errors_name_a_category_never_the_address_or_port(
    client, settings, mesotherapy, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    port = free_port()  # nothing listens: the audit's "Connection refused" oracle
    WebhookEndpoint.objects.create(url=f"http://127.0.0.1:{port}/hook")

    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.save_revision().publish()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "could not connect")
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(f"/admin/webhook_deliveries/inspect/{delivery.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "could not connect" in text
    assert "refused" not in text.lower() and "Errno" not in text


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout(
    settings, mesotherapy, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        WebhookEndpoint.objects.create(url=f"http://127.0.0.1:{silent.getsockname()[1]}/hook")
        with django_capture_on_commit_callbacks(execute=True):
            mesotherapy.save_revision().publish()
    finally:
        silent.close()

    assert WebhookDelivery.objects.get().last_error == "timed out"


# --- Secrets ----------------------------------------------------------------------------------


def b64_secret(length):
    return "whsec_" + base64.b64encode(bytes(range(length))).decode()


@pytest.mark.parametrize(
    "secret",
    [
        "a",
        "whsec_abc",
        "whsec_",
        "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
        b64_secret(23),
        b64_secret(65),
        "whsec_" + "!" * 32,
    ],
)
def test_secrets_that_are_not_standard_webhooks_secrets_are_refused(admin_form_post, secret):
    response, endpoint = admin_form_post(secret)

    assert response.status_code == 200, "the form comes back with the error"
    assert "signing secret" in response.content.decode().lower()
    assert endpoint is None


@pytest.mark.parametrize("secret", [b64_secret(24), b64_secret(32), b64_secret(64)])
def test_standard_webhooks_secrets_are_accepted_and_stored_encrypted(admin_form_post, secret):
    response, endpoint = admin_form_post(secret)

    assert response.status_code == 302
    assert endpoint.secret == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM treatment_pages_webhookendpoint WHERE id = %s", [endpoint.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert secret.removeprefix("whsec_") not in row


@pytest.fixture
def admin_form_post(client):
    client.force_login(UserFactory(is_superuser=True))

    def post(secret):
        response = client.post(
            "/admin/webhook_endpoints/new/",
            {
                "url": "https://build.example/hook",
                "description": "Build",
                "is_active": "on",
                "new_secret": secret,
            },
        )
        return response, WebhookEndpoint.objects.filter(description="Build").first()

    return post


def test_the_admin_offers_a_new_secret_once_and_never_shows_the_stored_one(client):
    client.force_login(UserFactory(is_superuser=True))
    new_form = client.get("/admin/webhook_endpoints/new/")
    endpoint = WebhookEndpoint.objects.create(url="https://build.example/hook", description="Build")
    stored = endpoint.secret

    edit_form = client.get(f"/admin/webhook_endpoints/edit/{endpoint.pk}/")
    listing = client.get("/admin/webhook_endpoints/")

    assert new_form.status_code == 200 and 'name="new_secret" value="whsec_' in new_form.content.decode()
    assert edit_form.status_code == 200 and listing.status_code == 200
    for page in (edit_form, listing):
        assert stored not in page.content.decode()
        assert stored.removeprefix("whsec_")[:20] not in page.content.decode()


def test_the_endpoint_list_says_yes_or_no_for_active_not_true_or_false(client):
    client.force_login(UserFactory(is_superuser=True))
    WebhookEndpoint.objects.create(url="https://on.example/hook", description="On")
    WebhookEndpoint.objects.create(url="https://off.example/hook", description="Off", is_active=False)

    response = client.get("/admin/webhook_endpoints/")

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    active = {
        row.select("td")[1].get_text(" ", strip=True): row.select("td")[-1].get_text(" ", strip=True)
        for row in soup.select("table.listing tbody tr")
    }
    assert active == {"https://on.example/hook": "Yes", "https://off.example/hook": "No"}
    assert "True" not in soup.select_one("table.listing").get_text()


def test_rotating_replaces_the_secret_and_an_empty_field_keeps_it(client):
    client.force_login(UserFactory(is_superuser=True))
    endpoint = WebhookEndpoint.objects.create(url="https://build.example/hook", description="Build")
    original, rotated = endpoint.secret, new_webhook_secret()
    form = {"url": endpoint.url, "description": "Build", "is_active": "on"}

    kept = client.post(f"/admin/webhook_endpoints/edit/{endpoint.pk}/", {**form, "new_secret": ""})
    endpoint.refresh_from_db()
    assert kept.status_code == 302 and endpoint.secret == original

    rotated_response = client.post(
        f"/admin/webhook_endpoints/edit/{endpoint.pk}/", {**form, "new_secret": rotated}
    )
    endpoint.refresh_from_db()
    assert rotated_response.status_code == 302 and endpoint.secret == rotated


def test_secrets_stay_readable_after_secret_key_rotation_with_a_fallback(settings):
    endpoint = WebhookEndpoint.objects.create(url="https://build.example/hook")
    secret = endpoint.secret

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    assert WebhookEndpoint.objects.get().secret == secret


def test_an_unusable_secret_fails_its_delivery_at_once_instead_of_staying_pending(
    settings, receiver, mesotherapy, django_capture_on_commit_callbacks
):
    hook = receiver()
    settings.WEBHOOK_URL = hook.url
    settings.WEBHOOK_SECRET = "whsec_abc"

    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.save_revision().publish()

    assert hook.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        1,
        "signing secret invalid: set a new one",
    )


# --- Disabling ----------------------------------------------------------------------------------


def test_disabling_an_endpoint_stops_its_queued_retries(
    receiver, mesotherapy, django_capture_on_commit_callbacks
):
    hook = receiver(statuses=[500])
    endpoint = WebhookEndpoint.objects.create(url=hook.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, url=hook.url, message_id="msg_queued", event="page.published", payload={}
    )
    deliver_webhook.call(delivery.pk, 2)  # a retry that was queued...
    assert len(hook.requests) == 2  # (this backend retries at once: the 500, then a 200)
    hook.requests.clear()
    delivery.status, delivery.attempts = "pending", 2
    delivery.save()

    endpoint.is_active = False
    endpoint.save()
    deliver_webhook.call(delivery.pk, 3)  # ...runs after the endpoint was disabled

    assert hook.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", "endpoint disabled")


def test_a_queued_delivery_to_a_webhook_url_no_longer_configured_stops(settings, receiver):
    hook = receiver()
    settings.WEBHOOK_URL = ""
    delivery = WebhookDelivery.objects.create(
        url=hook.url, message_id="msg_old", event="page.published", payload={}
    )

    deliver_webhook.call(delivery.pk, 2)

    assert hook.requests == []
    delivery.refresh_from_db()
    assert delivery.status == "failed"


def test_after_a_key_rotation_the_command_reseals_secrets_under_the_new_key(settings):
    from django.core.management import call_command

    endpoint = WebhookEndpoint.objects.create(url="https://build.example/hook")
    secret = endpoint.secret
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"

    call_command("reseal_webhook_secrets")
    settings.SECRET_KEY_FALLBACKS = []

    assert WebhookEndpoint.objects.get().secret == secret


def test_the_system_check_names_a_bad_webhook_setting(settings):
    from treatment_pages.webhooks.delivery import check_webhook_settings

    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8", "intranet"]
    settings.WEBHOOK_URL = "ftp://build.example/hook"
    settings.WEBHOOK_SECRET = "a"

    assert [error.id for error in check_webhook_settings(None)] == [
        "treatment_pages.E022",
        "treatment_pages.E023",
        "treatment_pages.E024",
    ]
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.WEBHOOK_URL, settings.WEBHOOK_SECRET = "https://build.example/hook", new_webhook_secret()
    assert check_webhook_settings(None) == []


# --- The receiver example in docs/api.md ------------------------------------------------------


@pytest.fixture
def docs_receiver():
    """The receiver example from docs/api.md, run as a receiver would run it."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    code = text.split("<!-- receiver-example -->\n```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(compile(code, "docs/api.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def test_the_documented_receiver_accepts_a_delivery_once_and_refuses_forgeries(
    docs_receiver, receiver, mesotherapy, django_capture_on_commit_callbacks
):
    hook = receiver()
    endpoint = WebhookEndpoint.objects.create(url=hook.url, events=["page.published"])
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.save_revision().publish()
    ((headers, body),) = hook.requests
    receive, refused = docs_receiver["receive"], docs_receiver["WebhookVerificationError"]

    assert receive(endpoint.secret, headers, body)["type"] == "page.published"
    variants = {
        "replayed": headers,
        "other secret": headers,
        "old": {**headers, "webhook-timestamp": str(int(time.time()) - 3600)},
        "v9 signature": {
            **headers,
            "webhook-signature": "v9," + headers["webhook-signature"].split(",", 1)[1],
        },
        "v1a signature": {
            **headers,
            "webhook-signature": "v1a," + headers["webhook-signature"].split(",", 1)[1],
        },
        "timestamp not a number": {**headers, "webhook-timestamp": "yesterday"},
        "no id": {key: value for key, value in headers.items() if key.lower() != "webhook-id"},
    }
    for name, variant in variants.items():
        secret = new_webhook_secret() if name == "other secret" else endpoint.secret
        with pytest.raises(refused):
            receive(secret, variant, body)


def test_every_delivered_payload_matches_its_events_schema_in_the_openapi_document(
    mesotherapy, home_page, client, receiver, django_capture_on_commit_callbacks
):
    """Front ends type webhook payloads from the document's `webhooks` section: it must be what is sent."""
    from openapi_schema_validator import OAS31Validator

    from treatment_pages.models import ClinicContactSettings

    hook = receiver()
    WebhookEndpoint.objects.create(url=hook.url)
    webhooks = client.get("/api/v3/openapi.json").json()["webhooks"]

    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(mesotherapy, "voter-key", 4)
    with django_capture_on_commit_callbacks(execute=True):
        ClinicContactSettings.objects.get().save()
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.move(home_page, pos="last-child")
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.refresh_from_db()
        mesotherapy.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        mesotherapy.delete()

    payloads = [json.loads(body) for _headers, body in hook.requests]
    assert {payload["type"] for payload in payloads} == set(webhooks)
    for payload in payloads:
        schema = webhooks[payload["type"]]["post"]["requestBody"]["content"]["application/json"]["schema"]
        OAS31Validator(schema).validate(payload)
