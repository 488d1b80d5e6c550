"""Input that used to be a 500 or silently accepted (issue: hardening)."""

import pytest

from contacts.models import Contact
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts"


def post_raw(api, body: bytes | str, content_type="application/json"):
    return api.generic("POST", URL, body, content_type=content_type)


def test_a_body_nested_hundreds_deep_is_a_400(api):
    response = post_raw(api, "[" * 5000 + "]" * 5000)
    assert envelope_error(response) == (400, "bad_request")


def test_a_key_twice_in_one_object_is_a_400(api, company):
    body = f'{{"first_name": "A", "first_name": "B", "last_name": "L", "email": "a@example.com", "clientid": {company.pk}}}'
    response = post_raw(api, body)
    assert envelope_error(response) == (400, "bad_request")
    assert "first_name" in response.json()["message"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("content_type", ["*/*", "application/*", "*/json"])
def test_a_wildcard_content_type_is_a_415(api, content_type):
    assert envelope_error(post_raw(api, "{}", content_type)) == (415, "unsupported_media_type")


def test_more_fields_than_allowed_in_a_query_string_is_a_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api.get(URL + "?" + "&".join(f"a{i}=1" for i in range(20)))
    assert envelope_error(response) == (400, "bad_request")
