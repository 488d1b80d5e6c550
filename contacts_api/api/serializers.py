"""Output pieces every resource shares."""

import re

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


class IntegerField(serializers.IntegerField):
    """DRF's IntegerField, written in ASCII digits only: DRF also reads "1.0", full-width
    and Arabic-Indic digits, none of which an id should be."""

    ascii_integer = re.compile(r"^\s*[+-]?[0-9]{1,100}\s*$")

    def to_internal_value(self, data):
        if isinstance(data, str) and not self.ascii_integer.match(data):
            self.fail("invalid")
        if isinstance(data, float):
            self.fail("invalid")
        return super().to_internal_value(data)
