"""The webhook events as types: one payload type per event, and their OpenAPI 3.1 ``webhooks`` section.

``delivery`` builds each event's ``data``; the types here say what a receiver gets, so a
front end generates them from the API's OpenAPI document instead of writing them by
hand. ``openapi_webhooks()`` is what ``treatment_pages.api.routers.register`` adds to
the v3 document (``api.openapi_extra["webhooks"]``); only the v3 routers import it, so
pydantic comes with their optional django-ninja.
"""

import datetime
from typing import Literal

from pydantic import TypeAdapter
from typing_extensions import TypedDict  # pydantic needs it before Python 3.12


class PageData(TypedDict):
    id: int
    type: str | None
    title: str
    path: str | None


class PageMovedData(TypedDict):
    id: int
    type: str | None
    title: str
    old_path: str | None
    new_path: str | None


class PageDeletedData(TypedDict):
    id: int
    type: str | None
    title: str
    old_path: str | None


class SettingsChangedData(TypedDict):
    setting: Literal["clinic_contact"]


class RatingChangedData(TypedDict):
    page_id: int
    path: str | None
    count: int
    average: float | None


# event: (its data type, what it means)
EVENTS = {
    "page.published": (PageData, "A page was published (or published again): rebuild `path`."),
    "page.unpublished": (PageData, "A page was unpublished: remove `path`."),
    "page.moved": (PageMovedData, "A page's URL changed: remove `old_path`, build `new_path`."),
    "page.deleted": (PageDeletedData, "A page was deleted: remove `old_path`."),
    "settings.changed": (SettingsChangedData, "The clinic's settings changed: rebuild what shows them."),
    "rating.changed": (RatingChangedData, "A page's rating changed."),
}

SIGNATURE_HEADERS = [
    ("webhook-id", "The message id: the same on every retry of one delivery (refuse one you have accepted)."),
    ("webhook-timestamp", "Unix seconds of this attempt (refuse one too far from now)."),
    (
        "webhook-signature",
        "`v1,` then the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` (Standard Webhooks).",
    ),
]


def _inline(schema, definitions):
    """``schema`` with each ``$ref`` to pydantic's ``$defs`` replaced by the definition (no recursion here)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in schema.items() if key != "$defs"}
    if isinstance(schema, list):
        return [_inline(value, definitions) for value in schema]
    return schema


def payload_schema(event):
    """The JSON schema of one delivery's body for ``event``: ``{"type", "timestamp", "data"}``."""
    data_type, _description = EVENTS[event]
    envelope = TypedDict(  # noqa: UP013 - one type per event, named when it is built
        "".join(part.title() for part in event.split(".")) + "Event",
        {"type": Literal[event], "timestamp": datetime.datetime, "data": data_type},
    )
    schema = TypeAdapter(envelope).json_schema()
    return _inline(schema, schema.get("$defs", {}))


def openapi_webhooks():
    """The OpenAPI 3.1 ``webhooks`` section: a signed POST per event, typed by its payload."""
    return {
        event: {
            "post": {
                "operationId": "webhook_" + event.replace(".", "_"),
                "summary": description,
                "tags": ["webhooks"],
                # No HTTP authentication: the receiver checks the signature headers below.
                "security": [{}],
                "parameters": [
                    {
                        "in": "header",
                        "name": name,
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for name, text in SIGNATURE_HEADERS
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": payload_schema(event)}},
                },
                "responses": {
                    "200": {"description": "Received: any 2xx ends the delivery; anything else is retried."}
                },
            }
        }
        for event, (_data_type, description) in EVENTS.items()
    }
