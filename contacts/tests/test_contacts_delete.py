"""DELETE /api/v1/contacts/{id}: soft delete (API.md 3.6)."""

import pytest

from accounts.models import User
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db


def test_delete_is_soft_and_answers_with_null_data(api):
    contact = ContactFactory(is_account_owner=True)
    response = api.delete(f"/api/v1/contacts/{contact.pk}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Contact deleted successfully.", "data": None}
    row = User.objects.get(pk=contact.pk)
    assert row.status == "deleted"
    assert row.deleted_at is not None
    assert row.is_account_owner is False


def test_a_deleted_contact_is_gone_from_detail_and_list_but_found_with_status_deleted(api):
    contact = ContactFactory()
    api.delete(f"/api/v1/contacts/{contact.pk}")
    assert api.get(f"/api/v1/contacts/{contact.pk}").status_code == 404
    assert api.get("/api/v1/contacts").json()["data"] == []
    listed = api.get("/api/v1/contacts", {"status": "deleted"}).json()["data"]
    assert [(c["id"], c["status"], c["account_owner"]) for c in listed] == [(contact.pk, "deleted", "no")]


def test_the_email_is_free_for_a_new_contact_after_delete(api):
    contact = ContactFactory(email="ada@example.com")
    api.delete(f"/api/v1/contacts/{contact.pk}")
    response = api.post(
        "/api/v1/contacts",
        {"first_name": "Ada", "last_name": "L", "email": "ADA@example.com", "clientid": contact.client_id},
        format="json",
    )
    assert response.status_code == 201


def test_deleting_twice_or_an_unknown_id_is_a_404(api, staff_user):
    contact = ContactFactory()
    assert api.delete(f"/api/v1/contacts/{contact.pk}").status_code == 200
    for contact_id in (contact.pk, 987654, staff_user.pk):
        response = api.delete(f"/api/v1/contacts/{contact_id}")
        assert envelope_error(response) == (404, "not_found")
