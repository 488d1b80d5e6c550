from contacts_api.api.renderers import RawJSON
from contacts_api.api.serializers import format_datetime

from .models import Event, public_id


def event_representation(event: Event) -> dict:
    """The event object of API.md 7.1."""
    return {
        "id": public_id(event.pk),
        "type": event.type,
        "occurred_at": format_datetime(event.occurred_at),
        "contact_id": event.contact_id,
        "client_id": event.client_id,
        "actor": event.actor,
        "request_id": event.request_id,
        # The feed reads these as text (feed.as_json_text): written as they are.
        "changes": RawJSON(event.changes_text) if hasattr(event, "changes_text") else event.changes,
        "data": RawJSON(event.data_text) if hasattr(event, "data_text") else event.data,
    }
