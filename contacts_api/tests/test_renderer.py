"""The envelope renderer writes the bytes DRF's JSONRenderer writes, only faster."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from contacts_api.api.renderers import EnvelopeJSONRenderer

ODD_VALUES = {
    "text": "Zoë – 東京 \u2028 \u2029 \"quoted\" \\ \x00 \t",
    "aware": datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
    "whole_second": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    "date": datetime.date(2026, 1, 2),
    "time": datetime.time(3, 4, 5),
    "decimal": decimal.Decimal("1.50"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("This field is required."),
    "error": ErrorDetail("Bad value.", code="invalid"),
    "numbers": [0, -1, 2**63 - 1, True, False, None, 1.5],
    "huge": 2**70,
    3: "an integer key",
    "nested": ReturnDict({"list": ReturnList([{"a": 1}], serializer=None)}, serializer=None),
}


@pytest.mark.parametrize("name", list(ODD_VALUES))
def test_the_bytes_are_drfs_for_every_kind_of_value(name):
    data = {"value": ODD_VALUES[name]}
    assert EnvelopeJSONRenderer().render(data) == JSONRenderer().render(data)


def test_a_success_is_wrapped_in_the_envelope_with_its_meta():
    class View:
        action = "list"
        success_messages = {"list": "Listed."}

    class Response:
        status_code = 200
        meta = {"pagination": {"total": 1}}

    content = EnvelopeJSONRenderer().render([{"id": 1}], renderer_context={"view": View(), "response": Response()})
    assert content == b'{"success":true,"message":"Listed.","data":[{"id":1}],"meta":{"pagination":{"total":1}}}'
