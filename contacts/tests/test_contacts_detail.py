"""GET /api/v1/contacts/{id} (API.md 3.3)."""

import pytest

from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db


def test_it_returns_the_contact(api):
    contact = ContactFactory(first_name="Ada", last_name="Lovelace")
    response = api.get(f"/api/v1/contacts/{contact.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Contact retrieved successfully."
    assert body["data"]["id"] == contact.pk
    assert body["data"]["name"] == "Ada Lovelace"
    assert "meta" not in body


def test_it_answers_without_redirect_with_a_trailing_slash(api):
    contact = ContactFactory()
    assert api.get(f"/api/v1/contacts/{contact.pk}/").status_code == 200


def test_a_contact_without_client_has_a_null_client(api):
    contact = ContactFactory(client=None)
    assert api.get(f"/api/v1/contacts/{contact.pk}").json()["data"]["client"] is None


@pytest.mark.parametrize("kind", ["unknown", "staff", "deleted", "not-a-number", "huge"])
def test_it_is_a_404_for_anything_but_a_living_contact(api, staff_user, kind):
    contact_id = {
        "unknown": lambda: 987654,
        "staff": lambda: staff_user.pk,
        "deleted": lambda: ContactFactory(deleted=True).pk,
        "not-a-number": lambda: "abc",
        "huge": lambda: "9" * 30,
    }[kind]()
    response = api.get(f"/api/v1/contacts/{contact_id}")
    assert envelope_error(response) == (404, "not_found")
    if kind in ("unknown", "staff", "deleted"):
        assert response.json()["message"] == "Contact not found."


def test_filters_do_not_apply_to_the_detail_url(api):
    deleted = ContactFactory(deleted=True)
    assert api.get(f"/api/v1/contacts/{deleted.pk}?status=deleted").status_code == 404


def test_it_runs_the_key_lookup_and_one_query(api, django_assert_num_queries):
    contact = ContactFactory()
    api.get(f"/api/v1/contacts/{contact.pk}")  # last_used_at is written at most once a minute
    with django_assert_num_queries(2):  # the key, the contact with its client and role
        assert api.get(f"/api/v1/contacts/{contact.pk}").json()["data"]["id"] == contact.pk
