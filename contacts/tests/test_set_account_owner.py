"""POST /api/v1/contacts/{id}/set-account-owner (API.md 3.7)."""

import pytest

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db


def url(contact_id):
    return f"/api/v1/contacts/{contact_id}/set-account-owner"


def test_it_makes_the_contact_owner_and_the_previous_owner_not(api):
    previous = ContactFactory(is_account_owner=True)
    contact = ContactFactory(client=previous.client)
    response = api.post(url(contact.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Contact set as account owner successfully."
    assert body["data"]["id"] == contact.pk
    assert body["data"]["account_owner"] == "yes"
    previous.refresh_from_db()
    assert previous.is_account_owner is False
    assert list(Contact.objects.filter(client=contact.client, is_account_owner=True)) == [contact]


def test_owners_of_other_clients_are_untouched(api):
    other_owner = ContactFactory(is_account_owner=True)
    contact = ContactFactory()
    api.post(url(contact.pk))
    other_owner.refresh_from_db()
    assert other_owner.is_account_owner is True


def test_calling_it_on_the_current_owner_changes_nothing(api):
    owner = ContactFactory(is_account_owner=True)
    before = api.get(f"/api/v1/contacts/{owner.pk}").json()["data"]
    response = api.post(url(owner.pk))
    assert response.status_code == 200
    assert response.json()["data"] == before


def test_a_body_is_ignored(api):
    contact = ContactFactory()
    response = api.post(url(contact.pk), {"account_owner": "no"}, format="json")
    assert response.json()["data"]["account_owner"] == "yes"


@pytest.mark.parametrize("kind", ["unknown", "deleted"])
def test_an_unknown_or_deleted_contact_is_a_404(api, kind):
    contact_id = 987654 if kind == "unknown" else ContactFactory(deleted=True).pk
    response = api.post(url(contact_id))
    assert envelope_error(response) == (404, "not_found")
    assert response.json()["message"] == "Contact not found."


@pytest.mark.parametrize("kind", ["staff", "no client"])
def test_a_user_without_a_client_account_is_a_409(api, staff_user, kind):
    user_id = staff_user.pk if kind == "staff" else ContactFactory(client=None).pk
    response = api.post(url(user_id))
    assert envelope_error(response) == (409, "conflict")
    assert response.json()["message"] == "The contact does not belong to a client account."


def test_get_is_not_allowed(api):
    contact = ContactFactory()
    assert envelope_error(api.get(url(contact.pk))) == (405, "method_not_allowed")
