from contacts_api.api.renderers import RawJSON
from contacts_api.api.serializers import format_datetime

from .models import Event, public_id


def event_representation(event: Event | dict) -> dict:
    """The event object of API.md 7.1, from an Event or a feed row (events.feed)."""
    if isinstance(event, dict):
        return {
            "id": public_id(event["id"]),
            "type": event["type"],
            "occurred_at": format_datetime(event["occurred_at"]),
            "contact_id": event["contact_id"],
            "client_id": event["client_id"],
            "actor": RawJSON(event["actor_text"]),
            "request_id": event["request_id"],
            "changes": RawJSON(event["changes_text"]),
            "data": RawJSON(event["data_text"]),
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
