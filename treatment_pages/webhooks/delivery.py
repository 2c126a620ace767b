"""Webhooks: tell a front end (a static site's build, a CDN) that content changed.

Events and what their ``data`` holds (never patient data; an appointment request
never triggers a webhook):

- ``page.published`` / ``page.unpublished``: ``{id, type, title, path}``
- ``page.moved``: ``{id, type, title, old_path, new_path}``
- ``page.deleted``: ``{id, type, title, old_path}``
- ``settings.changed``: ``{setting}`` (``clinic_contact``)
- ``rating.changed``: ``{page_id, path, count, average}``

A delivery is a POST of ``{"type", "timestamp", "data"}`` signed as the Standard
Webhooks specification describes: headers ``webhook-id`` (the same on every retry),
``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,`` then base64 HMAC-SHA256 over ``{id}.{timestamp}.{body}`` with the secret).
Deliveries are recorded (``WebhookDelivery``), queued after the change commits and
retried with a growing delay, so a receiver that is down never fails an editor's
action.
"""

import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import timedelta
from functools import partial

import requests
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from treatment_pages.conf import app_settings
from treatment_pages.models.settings import ClinicContactSettings
from treatment_pages.models.webhooks import SECRET_PREFIX, WebhookDelivery, WebhookEndpoint
from treatment_pages.signals import rating_summary_changed

logger = logging.getLogger(__name__)


def secret_key(secret):
    """The HMAC key of a Standard Webhooks secret (``whsec_`` + base64), or of any other string as is."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    return secret.encode()


def sign(secret, message_id, timestamp, body):
    """The ``webhook-signature`` header value for ``body`` (bytes)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret, headers, body, tolerance=300):
    """True if ``headers`` (a mapping) sign ``body`` with ``secret`` within ``tolerance`` seconds.

    What a receiver does; the tests and the README's example use it.
    """
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, message_id, timestamp, body).split(",", 1)[1]
    signatures = [part.split(",", 1)[1] for part in headers["webhook-signature"].split() if "," in part]
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


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


def _secret_for(delivery):
    return delivery.endpoint.secret if delivery.endpoint_id else app_settings.WEBHOOK_SECRET


@task()
def deliver_webhook(delivery_id: int, attempt: int = 1):
    """POST delivery ``delivery_id``; on failure retry later, up to ``WEBHOOK_MAX_ATTEMPTS``."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.DELIVERED:
        return
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "clinic-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(_secret_for(delivery), delivery.message_id, timestamp, body),
    }
    delivery.attempts = attempt
    delivery.last_attempt_at = timezone.now()
    try:
        response = requests.post(
            delivery.url,
            data=body,
            headers=headers,
            timeout=app_settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        delivery.last_status_code = None
        delivery.last_error = type(exc).__name__
    else:
        delivery.last_status_code = response.status_code
        delivery.last_error = "" if response.ok else f"HTTP {response.status_code}"
        if 200 <= response.status_code < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.save()
            return
    retrying = attempt < app_settings.WEBHOOK_MAX_ATTEMPTS
    delivery.status = WebhookDelivery.Status.PENDING if retrying else WebhookDelivery.Status.FAILED
    delivery.save()
    if not retrying:
        logger.error("Webhook %s to %s failed after %d attempts", delivery.message_id, delivery.url, attempt)
        return
    delay = app_settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempt - 1)
    next_run = deliver_webhook
    if deliver_webhook.get_backend().supports_defer:
        next_run = deliver_webhook.using(run_after=timezone.now() + timedelta(seconds=delay))
    # Backends that cannot defer (the immediate one in dev and tests) retry at once.
    next_run.enqueue(delivery_id, attempt + 1)


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
