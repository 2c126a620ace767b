"""Webhooks: tell a front end (a static site's build, a CDN) that content changed.

Events and what their ``data`` holds (never patient data; an appointment request
never triggers a webhook):

- ``page.published`` / ``page.unpublished``: ``{id, type, title, path}``
- ``page.moved``: ``{id, type, title, old_path, new_path}``
- ``page.deleted``: ``{id, type, title, old_path}``
- ``settings.changed``: ``{setting}`` (``clinic_contact``)
- ``rating.changed``: ``{page_id, path, count, average}``

(Typed in :mod:`treatment_pages.webhooks.events`, which the v3 OpenAPI document's
``webhooks`` section is made from.)

A delivery is a POST of ``{"type", "timestamp", "data"}`` signed as the Standard
Webhooks specification describes, by its reference package ``standardwebhooks``: headers
``webhook-id`` (the same on every retry), ``webhook-timestamp`` (Unix seconds of this
attempt) and ``webhook-signature`` (``v1,`` then base64 HMAC-SHA256 over
``{id}.{timestamp}.{body}`` with the secret). Deliveries are recorded
(``WebhookDelivery``), queued after the change commits and retried with a growing delay,
so a receiver that is down never fails an editor's action. A retry whose endpoint was
disabled (or deleted, or whose ``WEBHOOK_URL`` changed) stops.

Each attempt checks the URL again (:mod:`treatment_pages.webhooks.targets`): http(s), and
every address the host resolves to public or allow-listed; then it connects to the
address it checked, never resolving the name a second time. What the Deliveries screen
shows of a failure is a short category ("could not connect", "timed out", "HTTP 500 from
receiver"), never the underlying error, which would tell an administrator which internal
ports answer.
"""

import json
import logging
import ssl
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial

import certifi
import urllib3
from django.core.checks import Error, Tags, register
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task
from standardwebhooks.webhooks import Webhook
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from treatment_pages.conf import app_settings
from treatment_pages.models.settings import ClinicContactSettings
from treatment_pages.models.webhooks import WebhookDelivery, WebhookEndpoint
from treatment_pages.signals import rating_summary_changed
from treatment_pages.webhooks.secrets import SecretUnreadable, secret_error
from treatment_pages.webhooks.targets import (
    TargetRefused,
    check_addresses,
    invalid_allowed_entries,
    resolve,
    split_url,
)

logger = logging.getLogger(__name__)


def sign(secret, message_id, timestamp, body):
    """The ``webhook-signature`` header value for ``body`` (bytes) at ``timestamp`` (Unix seconds)."""
    return Webhook(secret).sign(message_id, datetime.fromtimestamp(int(timestamp), tz=UTC), body)


# --- Emitting ----------------------------------------------------------------------------


def emit(event, data):
    """Record and queue ``event`` for every endpoint that wants it, once the transaction commits.

    ``data`` is the event's dict, or a function returning it, called only if some endpoint
    wants the event (for events whose data costs queries and that most sites never receive).
    """
    transaction.on_commit(partial(_create_deliveries, event, data))


def _targets(event):
    targets = [
        (endpoint, endpoint.url)
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if endpoint.wants(event)
    ]
    if app_settings.WEBHOOK_URL:
        targets.append((None, app_settings.WEBHOOK_URL))
    return targets


def _create_deliveries(event, data):
    try:
        targets = _targets(event)
        if not targets:
            return
        if callable(data):
            data = data()
        payload = json.loads(
            json.dumps(
                {"type": event, "timestamp": timezone.now().isoformat(), "data": data},
                cls=DjangoJSONEncoder,
            )
        )
        deliveries = [
            WebhookDelivery.objects.create(
                endpoint=endpoint, url=url, event=event, payload=payload, message_id=f"msg_{uuid.uuid4().hex}"
            )
            for endpoint, url in targets
        ]
        for delivery in deliveries:
            deliver_webhook.enqueue(delivery.pk)
    except Exception:
        # A webhook must never fail the editor's publish or the reader's vote.
        logger.exception("Could not queue the %s webhook", event)


class DeliveryFailed(Exception):
    """One attempt failed; ``category`` is what the Deliveries screen shows, ``retry`` whether to try again."""

    def __init__(self, category, *, retry=True):
        super().__init__(category)
        self.category, self.retry = category, retry


def _secret_for(delivery):
    try:
        secret = delivery.endpoint.secret if delivery.endpoint_id else app_settings.WEBHOOK_SECRET
    except SecretUnreadable:
        raise DeliveryFailed("signing secret unreadable: set a new one", retry=False) from None
    if secret_error(secret):
        raise DeliveryFailed("signing secret invalid: set a new one", retry=False)
    return secret


def _still_wanted(delivery):
    """Whether a queued delivery should still go: its endpoint active, or WEBHOOK_URL unchanged."""
    if delivery.endpoint_id:
        return delivery.endpoint.is_active  # a deleted endpoint took its deliveries with it
    return app_settings.WEBHOOK_URL == delivery.url


def _post(url, body, headers):
    """POST ``body`` to ``url`` at an address checked first; the HTTP status, or DeliveryFailed."""
    try:
        scheme, host, port = split_url(url)
    except TargetRefused:
        raise DeliveryFailed("refused: not an http(s) URL", retry=False) from None
    addresses = resolve(host, port)
    if not addresses:
        raise DeliveryFailed("could not resolve the host name")
    try:
        check_addresses(addresses)
    except TargetRefused:
        raise DeliveryFailed("refused: the host is not a public address", retry=False) from None
    parts = urllib3.util.parse_url(url)
    path = parts.request_uri or "/"
    timeout = urllib3.Timeout(total=float(app_settings.WEBHOOK_TIMEOUT_SECONDS))
    name = f"[{host}]" if ":" in host else host
    host_header = name if port == (443 if scheme == "https" else 80) else f"{name}:{port}"
    if scheme == "https":
        # Connected by address, verified by name: SNI and the certificate check use the host name.
        pool = urllib3.HTTPSConnectionPool(
            addresses[0],
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(addresses[0], port, timeout=timeout, retries=False)
    try:
        with pool:
            response = pool.urlopen(
                "POST",
                path,
                body=body,
                headers={**headers, "Host": host_header},
                redirect=False,
                retries=False,
                preload_content=False,
            )
            response.drain_conn()
            return response.status
    except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ProtocolError, ConnectionError):
        # Before TimeoutError: urllib3's NewConnectionError is a ConnectTimeoutError too.
        raise DeliveryFailed("could not connect") from None
    except urllib3.exceptions.TimeoutError:
        raise DeliveryFailed("timed out") from None
    except (urllib3.exceptions.SSLError, ssl.SSLError):
        raise DeliveryFailed("TLS certificate or handshake failed") from None
    except (urllib3.exceptions.HTTPError, OSError):
        raise DeliveryFailed("delivery failed") from None


@task()
def deliver_webhook(delivery_id: int, attempt: int = 1):
    """POST delivery ``delivery_id``; on failure retry later, up to ``WEBHOOK_MAX_ATTEMPTS``."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return
    if not _still_wanted(delivery):
        # Disabled (or its WEBHOOK_URL changed) while this attempt waited in the queue.
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.last_error = "endpoint disabled"
        delivery.save(update_fields=["status", "last_error"])
        return
    delivery.attempts = attempt
    delivery.last_attempt_at = timezone.now()
    delivery.last_status_code = None
    retry = True
    try:
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "clinic-webhooks/1",
            "webhook-id": delivery.message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": sign(_secret_for(delivery), delivery.message_id, timestamp, body),
        }
        status_code = _post(delivery.url, body, headers)
    except DeliveryFailed as failure:
        delivery.last_error, retry = failure.category, failure.retry
    else:
        delivery.last_status_code = status_code
        if 200 <= status_code < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.last_error = ""
            delivery.save()
            return
        delivery.last_error = f"HTTP {status_code} from receiver"
    retrying = retry and attempt < app_settings.WEBHOOK_MAX_ATTEMPTS
    delivery.status = WebhookDelivery.Status.PENDING if retrying else WebhookDelivery.Status.FAILED
    delivery.save()
    if not retrying:
        logger.error(
            "Webhook %s failed after %d attempts: %s", delivery.message_id, attempt, delivery.last_error
        )
        return
    delay = app_settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempt - 1)
    next_run = deliver_webhook
    if deliver_webhook.get_backend().supports_defer:
        next_run = deliver_webhook.using(run_after=timezone.now() + timedelta(seconds=delay))
    # Backends that cannot defer (the immediate one in dev and tests) retry at once.
    next_run.enqueue(delivery_id, attempt + 1)


@register(Tags.security)
def check_webhook_settings(app_configs, **kwargs):
    """The endpoint configured as code and the allow-list, checked before the first delivery fails."""
    errors = [
        Error(
            f"WEBHOOK_ALLOWED_NETWORKS entry {entry!r} is not an IP network.",
            hint='Write CIDRs such as "10.20.0.0/16".',
            id="treatment_pages.E022",
        )
        for entry in invalid_allowed_entries()
    ]
    if app_settings.WEBHOOK_URL:
        try:
            split_url(app_settings.WEBHOOK_URL)
        except TargetRefused as refused:
            errors.append(Error(f"WEBHOOK_URL: {refused.message}", id="treatment_pages.E023"))
        if problem := secret_error(app_settings.WEBHOOK_SECRET):
            errors.append(
                Error(
                    f"WEBHOOK_SECRET: {problem}",
                    hint='Generate one with: python -c "import base64, secrets; '
                    "print('whsec_' + base64.b64encode(secrets.token_bytes(32)).decode())\"",
                    id="treatment_pages.E024",
                )
            )
    return errors


# --- What the events say -------------------------------------------------------------------


def html_path(url_path):
    """The path a reader uses for a page whose tree ``url_path`` this is (``/treatments/x/``)."""
    for root in Site.get_site_root_paths():
        if url_path.startswith(root.root_path):
            return "/" + url_path.removeprefix(root.root_path)
    return None


def page_data(page, **extra):
    specific_class = page.specific_class
    return {
        "id": page.pk,
        "type": specific_class._meta.label if specific_class else None,
        "title": page.title,
        **extra,
    }


@receiver(page_published, dispatch_uid="treatment_pages.webhooks.delivery.page_published")
def _page_published(sender, instance, **kwargs):
    emit("page.published", page_data(instance, path=html_path(instance.url_path)))


@receiver(page_unpublished, dispatch_uid="treatment_pages.webhooks.delivery.page_unpublished")
def _page_unpublished(sender, instance, **kwargs):
    emit("page.unpublished", page_data(instance, path=html_path(instance.url_path)))


@receiver(post_page_move, dispatch_uid="treatment_pages.webhooks.delivery.page_moved")
def _page_moved(sender, instance, url_path_before, url_path_after, **kwargs):
    if url_path_before == url_path_after:
        return  # Reordered among its siblings: no URL changed.
    emit(
        "page.moved",
        page_data(instance, old_path=html_path(url_path_before), new_path=html_path(url_path_after)),
    )


@receiver(pre_delete, sender=Page, dispatch_uid="treatment_pages.webhooks.delivery.page_deleted")
def _page_deleted(sender, instance, **kwargs):
    # Before the row goes: its path and type can still be read.
    emit("page.deleted", page_data(instance, old_path=html_path(instance.url_path)))


@receiver(
    post_save, sender=ClinicContactSettings, dispatch_uid="treatment_pages.webhooks.delivery.settings_changed"
)
def _settings_changed(sender, instance, **kwargs):
    emit("settings.changed", {"setting": "clinic_contact"})


@receiver(rating_summary_changed, dispatch_uid="treatment_pages.webhooks.delivery.rating_changed")
def _rating_changed(sender, page_id, **kwargs):
    from treatment_pages.ratings.votes import get_rating_summary

    def rating_data():
        # Read when the delivery is recorded, after the vote's commit: the summary as it stands.
        page = Page.objects.filter(pk=page_id).first()
        summary = get_rating_summary(page_id)
        return {
            "page_id": page_id,
            "path": html_path(page.url_path) if page else None,
            "count": summary.count,
            "average": float(summary.average) if summary.average is not None else None,
        }

    # Every vote sends this: its two queries run only for a site with a webhook that wants it.
    emit("rating.changed", rating_data)
