"""Output pieces every resource shares."""

from rest_framework import serializers


def format_datetime(value) -> str | None:
    """ISO 8601 in UTC with a `Z` suffix, the bytes DRF's DateTimeField writes, at a fifth
    of its cost (200 timestamps a page: docs/PERFORMANCE.md, Serialization)."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


class DatesSerializer(serializers.Serializer):
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
