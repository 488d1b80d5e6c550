from contacts_api.api.renderers import RawJSON
from contacts_api.api.serializers import format_datetime

from .models import Event, public_id


def event_representation(event: Event | dict) -> dict:
    """The event object of API.md 7.1, from an Event or a feed row (events.feed).

    An erased contact's events keep only id, type, occurred_at, contact_id, client_id and
    actor; the contact.erased event adds its request_id (API.md 8.2)."""
    return _without_erased(_representation(event))


ERASED_KEYS = ("request_id", "changes", "data")


def _without_erased(event: dict) -> dict:
    if event["data"] is not None:
        return event
    return {name: value for name, value in event.items() if name not in ERASED_KEYS or value is not None}


def _representation(event: Event | dict) -> dict:
    if isinstance(event, dict):
        return {
            "id": public_id(event["id"]),
            "type": event["type"],
            "occurred_at": format_datetime(event["occurred_at"]),
            "contact_id": event["contact_id"],
            "client_id": event["client_id"],
            "actor": RawJSON(event["actor_text"]),
            "request_id": event["request_id"],
            "changes": None if event["changes_text"] is None else RawJSON(event["changes_text"]),
            "data": None if event["data_text"] is None else RawJSON(event["data_text"]),
        }
    return {
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
