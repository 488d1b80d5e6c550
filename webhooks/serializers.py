from rest_framework import serializers

from contacts_api.api.serializers import DatesSerializer, format_datetime
from events.models import Event

from .http import UnsafeURL, checked_target
from .models import WebhookDelivery, WebhookEndpoint

EVENT_TYPE_CHOICES = ["*", *Event.Type.values]


def endpoint_representation(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason or None,
        "dates": {"created": format_datetime(endpoint.created_at), "updated": format_datetime(endpoint.updated_at)},
    }


class WebhookEndpointSerializer(serializers.Serializer):
    """A webhook endpoint (output only)."""

    id = serializers.IntegerField()
    url = serializers.URLField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES))
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(allow_null=True)
    dates = DatesSerializer()

    def to_representation(self, instance):
        return endpoint_representation(instance)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="whsec_ and base64: shown this once; verify signatures with it.")

    def to_representation(self, instance):
        return {**endpoint_representation(instance), "secret": instance.secret}


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="https:// (http:// only where private networks are allowed).")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=len(EVENT_TYPE_CHOICES),
        help_text='Event types to receive, or ["*"] for all.',
    )
    enabled = serializers.BooleanField(required=False)

    def validate_url(self, value):
        try:
            checked_target(value)
        except UnsafeURL as error:
            raise serializers.ValidationError(str(error)) from error
        return value

    def validate_event_types(self, value):
        unknown = sorted(set(value) - set(EVENT_TYPE_CHOICES))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown event type(s): {', '.join(unknown)}. Allowed: {', '.join(EVENT_TYPE_CHOICES)}."
            )
        return sorted(set(value))


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["event_id", "event_type", "attempt", "attempted_at", "status_code", "error", "duration_ms"]
