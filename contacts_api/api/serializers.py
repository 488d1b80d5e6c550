"""Output pieces every resource shares."""

from rest_framework import serializers

from accounts.validators import ASCII_INTEGER


def format_datetime(value) -> str | None:
    """ISO 8601 in UTC with a `Z` suffix, the bytes DRF's DateTimeField writes, at a fifth
    of its cost (200 timestamps a page: docs/PERFORMANCE.md, Serialization)."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


class DatesSerializer(serializers.Serializer):
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()


class IntegerField(serializers.IntegerField):
    """DRF's IntegerField, in ASCII digits only (accounts.validators.ASCII_INTEGER)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not ASCII_INTEGER.match(data):
            self.fail("invalid")
        if isinstance(data, float):
            self.fail("invalid")
        return super().to_internal_value(data)
