"""PUT and PATCH /api/v1/contacts/{id} (API.md 3.5)."""

import pytest

from accounts.tests.factories import StaffUserFactory
from clients.tests.factories import ClientFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(db):
    return ContactFactory(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        phone="+44 20 7946 0000",
        job_position="CTO",
        linkedin="ada-l",
    )


def url(contact):
    return f"/api/v1/contacts/{contact.pk}"


FULL = {"first_name": "Augusta", "last_name": "King", "email": "augusta@example.com"}


def test_put_replaces_the_required_fields_and_keeps_omitted_optional_ones(api, contact):
    response = api.put(url(contact), FULL, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Contact updated successfully."
    data = body["data"]
    assert (data["name"], data["email"]) == ("Augusta King", "augusta@example.com")
    assert (data["phone"], data["job_position"]) == ("+44 20 7946 0000", "CTO")
    assert data["social"]["linkedin"] == "ada-l"


@pytest.mark.parametrize("field", ["first_name", "last_name", "email"])
def test_put_needs_first_name_last_name_and_email(api, contact, field):
    body = {k: v for k, v in FULL.items() if k != field}
    response = api.put(url(contact), body, format="json")
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == [field]


def test_patch_changes_only_the_fields_sent(api, contact):
    data = api.patch(url(contact), {"position": "CEO"}, format="json").json()["data"]
    assert (data["job_position"], data["first_name"], data["email"]) == ("CEO", "Ada", "ada@example.com")


@pytest.mark.parametrize("empty", [None, ""])
def test_null_or_empty_clears_an_optional_field(api, contact, empty):
    data = api.patch(
        url(contact), {"phone": empty, "position": empty, "social": {"linkedin": empty}}, format="json"
    ).json()["data"]
    assert (data["phone"], data["job_position"], data["social"]["linkedin"]) == (None, None, None)


def test_status_can_become_inactive_but_not_deleted(api, contact):
    assert api.patch(url(contact), {"status": "inactive"}, format="json").json()["data"]["status"] == "inactive"
    response = api.patch(url(contact), {"status": "deleted"}, format="json")
    assert envelope_error(response) == (422, "validation_failed")


def test_the_contact_may_keep_its_own_email_in_another_case(api, contact):
    response = api.patch(url(contact), {"email": "ADA@example.com"}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["email"] == "ADA@example.com"


@pytest.mark.parametrize("make_other", [ContactFactory, StaffUserFactory])
def test_an_email_of_another_user_is_a_422(api, contact, make_other):
    make_other(email="taken@example.com")
    response = api.patch(url(contact), {"email": "Taken@Example.com"}, format="json")
    assert envelope_error(response) == (422, "validation_failed")
    assert response.json()["errors"] == {"email": ["A user with this email already exists."]}
    contact.refresh_from_db()
    assert contact.email == "ada@example.com"


def test_client_account_owner_and_read_only_fields_are_ignored(api, contact):
    other_client = ClientFactory()
    data = api.patch(
        url(contact),
        {
            "clientid": other_client.pk,
            "client_id": other_client.pk,
            "account_owner": "yes",
            "id": 1,
            "name": "X",
            "job_position": "Ignored",
        },
        format="json",
    ).json()["data"]
    assert data["client"]["id"] == contact.client_id
    assert data["account_owner"] == "no"
    assert data["job_position"] == "CTO"
    assert data["id"] == contact.pk


def test_update_touches_the_updated_date(api, contact):
    before = api.get(url(contact)).json()["data"]["dates"]
    after = api.patch(url(contact), {"first_name": "Augusta"}, format="json").json()["data"]["dates"]
    assert after["created"] == before["created"]
    assert after["updated"] > before["updated"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_deleted_or_unknown_contact_is_a_404(api, method):
    deleted = ContactFactory(deleted=True)
    for contact_id in (deleted.pk, 987654):
        response = getattr(api, method)(f"/api/v1/contacts/{contact_id}", FULL, format="json")
        assert envelope_error(response) == (404, "not_found")
        assert response.json()["message"] == "Contact not found."


def test_an_invalid_update_changes_nothing(api, contact):
    response = api.put(url(contact), {**FULL, "phone": "call me"}, format="json")
    assert response.status_code == 422
    contact.refresh_from_db()
    assert contact.first_name == "Ada"
    assert Contact.objects.count() == 1
