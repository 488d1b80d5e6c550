import orjson

from contacts_api.api.renderers import RawJSON
from contacts_api.api.serializers import format_datetime

from .models import Event, public_id

# An erased contact's events keep only id, type, occurred_at, contact_id, client_id and
# actor; the contact.erased event adds its request_id (API.md 8.2).
ERASED_KEYS = ("request_id", "changes", "data")


def event_representation(event: Event) -> dict:
    """The event object of API.md 7.1 (history, one event, webhooks)."""
    return _kept(
        {
            "id": public_id(event.pk),
            "type": event.type,
            "occurred_at": format_datetime(event.occurred_at),
            "contact_id": event.contact_id,
            "client_id": event.client_id,
            "actor": event.actor,
            "request_id": event.request_id,
            "changes": event.changes,
            "data": event.data,
        }
    )


def event_json(row: dict) -> RawJSON:
    """The same object as JSON text, from a feed row (events.feed, `as_json_text`): the
    stored JSON of actor, changes and data is written into it as it is. A page of 1,000
    events, one text each, renders in a fraction of the time of 1,000 dicts of nine
    keys (docs/PERFORMANCE.md, Events and webhooks)."""
    occurred_at = row["occurred_at_text"] if "occurred_at_text" in row else format_datetime(row["occurred_at"])
    texts = _kept(
        {
            "id": f'"{public_id(row["id"])}"',
            "type": _json(row["type"]),
            "occurred_at": f'"{occurred_at}"',
            "contact_id": _json(row["contact_id"]),
            "client_id": _json(row["client_id"]),
            "actor": row["actor_text"],
            "request_id": None if row["request_id"] is None else _json(row["request_id"]),
            "changes": row["changes_text"],
            "data": row["data_text"],
        }
    )
    return RawJSON("{" + ",".join(f'"{name}":{"null" if text is None else text}' for name, text in texts.items()) + "}")


def _kept(event: dict) -> dict:
    """The event without what erasure took (ERASED_KEYS, when null), if it was erased."""
    if event["data"] is not None:
        return event
    return {name: value for name, value in event.items() if name not in ERASED_KEYS or value is not None}


def _json(value) -> str:
    return orjson.dumps(value).decode()
