"""POST /api/v1/contacts/{id}/restore (API.md 6.4)."""

import pytest

from accounts.tests.factories import StaffUserFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db


def restore(api, pk):
    return api.post(f"/api/v1/contacts/{pk}/restore")


def test_a_deleted_contact_comes_back_active_and_not_owner(api):
    contact = ContactFactory(deleted=True)
    response = restore(api, contact.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Contact restored successfully."
    assert (body["data"]["status"], body["data"]["account_owner"]) == ("active", "no")
    assert Contact.objects.get(pk=contact.pk).deleted_at is None


def test_a_living_contact_is_a_200_that_changes_nothing(api):
    contact = ContactFactory()
    response = restore(api, contact.pk)
    assert response.status_code == 200
    assert response.json()["data"]["version"] == 1


def test_an_email_taken_meanwhile_is_a_422_on_email(api):
    contact = ContactFactory(deleted=True, email="ada@example.com")
    ContactFactory(email="ADA@example.com")
    response = restore(api, contact.pk)
    assert envelope_error(response) == (422, "validation_failed")
    assert "email" in response.json()["errors"]
    assert Contact.objects.get(pk=contact.pk).deleted_at is not None


@pytest.mark.parametrize("kind", ["unknown", "staff"])
def test_an_unknown_id_or_a_staff_user_is_a_404(api, kind):
    pk = 987654 if kind == "unknown" else StaffUserFactory().pk
    response = restore(api, pk)
    assert envelope_error(response) == (404, "not_found")
    assert response.json()["message"] == "Contact not found."


def test_a_read_key_cannot_restore(read_api):
    contact = ContactFactory(deleted=True)
    assert envelope_error(restore(read_api, contact.pk)) == (403, "permission_denied")
