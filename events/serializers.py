from django import forms
from rest_framework import serializers

from accounts.validators import MAX_ID
from contacts.serializers import ContactSerializer
from contacts_api.api.filters import IntegerField

from .feed import DEFAULT_LIMIT, MAX_LIMIT, MalformedCursor, decode_cursor
from .models import Event
from .representation import event_representation


class FeedQueryForm(forms.Form):
    """The feed's query parameters (API.md 7.2); an error names its parameter."""

    after = forms.CharField(required=False, strip=False)
    limit = IntegerField(min_value=1, max_value=MAX_LIMIT, required=False)
    type = forms.CharField(required=False)
    contact_id = IntegerField(min_value=1, max_value=MAX_ID, required=False)
    client_id = IntegerField(min_value=1, max_value=MAX_ID, required=False)

    def clean_after(self):
        cursor = self.cleaned_data["after"]
        if "after" not in self.data:
            return None
        try:
            return decode_cursor(cursor)
        except MalformedCursor as error:
            raise forms.ValidationError("Malformed cursor: use meta.cursor or links.next as given.") from error

    def clean_limit(self):
        return self.cleaned_data["limit"] or DEFAULT_LIMIT

    def clean_type(self):
        if "type" not in self.data:
            return None
        types = [name.strip() for name in self.cleaned_data["type"].split(",")]
        unknown = [name for name in types if name not in Event.Type.values]
        if unknown or not types:
            raise forms.ValidationError(f"Unknown event type(s): {', '.join(unknown) or '(empty)'}. Allowed: {', '.join(Event.Type.values)}.")
        return types


class EventActorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["api_key", "staff", "import", "system"])
    id = serializers.CharField(allow_null=True, help_text="The API key's prefix or the staff user's id.")
    name = serializers.CharField(allow_null=True)


class EventSerializer(serializers.Serializer):
    """The event object of API.md 7.1 (output only)."""

    id = serializers.CharField(help_text="evt_ and 16 digits.")
    type = serializers.ChoiceField(choices=Event.Type.values)
    occurred_at = serializers.DateTimeField()
    contact_id = serializers.IntegerField()
    client_id = serializers.IntegerField(allow_null=True)
    actor = EventActorSerializer()
    # Absent once the contact is erased (API.md 8.2); the contact.erased event has only
    # its request_id.
    request_id = serializers.CharField(allow_null=True, required=False)
    changes = serializers.DictField(
        child=serializers.DictField(), required=False,
        help_text='Each changed field of the contact object: {"from": ..., "to": ...}. Absent after an erasure.',
    )
    data = ContactSerializer(required=False, help_text="The contact object right after the change. Absent after an erasure.")

    def to_representation(self, instance):
        return event_representation(instance)


FEED_META_SCHEMA = {
    "type": "object",
    "required": ["cursor", "has_more", "links"],
    "properties": {
        "cursor": {"type": "string", "description": "Send as `after` to read on (also when the page is empty)."},
        "has_more": {"type": "boolean"},
        "links": {
            "type": "object",
            "required": ["next"],
            "properties": {"next": {"type": "string", "format": "uri"}},
        },
    },
}
