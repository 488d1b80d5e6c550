"""Every change is an event, recorded by every path (API.md 7.1)."""

import pytest

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import run_command, write_file
from events.models import Event
from events.representation import event_representation

pytestmark = pytest.mark.django_db


def events(**filters):
    return list(Event.objects.filter(**filters).order_by("id"))


def create(api, company, **fields):
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "clientid": company.pk, **fields}
    return api.post("/api/v1/contacts", body, format="json", headers={"X-Request-ID": "req-1"})


def test_a_create_records_every_field_from_null_with_the_key_and_request(api, company):
    contact_id = create(api, company).json()["data"]["id"]
    [event] = events()
    assert (event.type, event.contact_id, event.client_id, event.request_id) == (
        "contact.created", contact_id, company.pk, "req-1"
    )
    assert event.actor["type"] == "api_key" and len(event.actor["id"]) == 8
    changes = event_representation(event)["changes"]
    assert changes["email"] == {"from": None, "to": "ada@example.com"}
    assert "version" not in changes and "dates" not in changes
    assert event.data["version"] == 1 and event.data["id"] == contact_id


def test_an_update_records_what_changed_and_the_object_after(api):
    contact = ContactFactory(phone="+1 555")
    api.patch(f"/api/v1/contacts/{contact.pk}", {"phone": None}, format="json")
    [event] = events(type="contact.updated")
    assert event.changes == {"phone": {"from": "+1 555", "to": None}}
    assert event.data["version"] == 2


def test_a_write_that_changes_nothing_records_nothing(api):
    contact = ContactFactory(first_name="Ada")
    api.patch(f"/api/v1/contacts/{contact.pk}", {"first_name": "Ada"}, format="json")
    assert events() == []


def test_delete_and_restore_are_events_of_their_own(api):
    contact = ContactFactory()
    api.delete(f"/api/v1/contacts/{contact.pk}")
    api.post(f"/api/v1/contacts/{contact.pk}/restore")
    assert [e.type for e in events()] == ["contact.deleted", "contact.restored"]
    assert [e.data["version"] for e in events()] == [2, 3]


def test_set_account_owner_records_both_owners(api, company):
    previous = ContactFactory(client=company, is_account_owner=True)
    contact = ContactFactory(client=company)
    api.post(f"/api/v1/contacts/{contact.pk}/set-account-owner")
    changed = {(e.contact_id, e.changes["account_owner"]["to"]) for e in events()}
    assert changed == {(previous.pk, "no"), (contact.pk, "yes")}


def test_a_batch_records_one_event_per_created_or_updated_item(api, company):
    ContactFactory(client=company, email="old@example.com", first_name="Old")
    items = [
        {"email": "old@example.com", "clientid": company.pk, "first_name": "New"},
        {"email": "new@example.com", "clientid": company.pk, "first_name": "A", "last_name": "B"},
        {"email": "old@example.com", "clientid": company.pk},
    ]
    api.post("/api/v1/contacts/batch", {"contacts": items}, format="json")
    assert sorted(e.type for e in events()) == ["contact.created", "contact.updated"]


def test_an_import_records_its_rows_with_the_command_as_actor(tmp_path, company):
    path = write_file(tmp_path, f"first_name,last_name,email,client_id\nA,B,a@example.com,{company.pk}\n", "c.csv")
    run_command("import_contacts", path)
    [event] = events()
    assert event.actor == {"type": "import", "id": None, "name": "import_contacts"}
    assert event.data["email"] == "a@example.com"


def test_an_admin_edit_records_the_staff_user(admin_client, admin_user):
    contact = ContactFactory(first_name="Ada")
    data = {"first_name": "Grace", "last_name": contact.last_name, "email": contact.email,
            "client": contact.client_id, "status": "active"}
    admin_client.post(f"/admin/contacts/contact/{contact.pk}/change/", data)
    [event] = events()
    assert event.actor == {"type": "staff", "id": str(admin_user.pk), "name": admin_user.username}
    assert event.changes["first_name"] == {"from": "Ada", "to": "Grace"}


def test_a_failed_write_records_nothing(api, company):
    ContactFactory(email="ada@example.com")
    assert create(api, company).status_code == 422
    assert events() == []
    assert Contact.objects.count() == 1


def test_an_import_batch_of_many_rows_records_an_event_for_each(tmp_path, company):
    # 150 rows: PostgreSQL writes their events with COPY, the transaction id by default.
    rows = "".join(f"F{i},L{i},p{i}@example.com,{company.pk}\n" for i in range(150))
    path = write_file(tmp_path, "first_name,last_name,email,client_id\n" + rows, "c.csv")
    assert run_command("import_contacts", path)[0] == 0
    recorded = events()
    assert len(recorded) == 150 == len({e.contact_id for e in recorded})
    assert recorded[0].data["email"] == "p0@example.com"
    assert recorded[0].actor["name"] == "import_contacts"
    assert len({e.txid for e in recorded}) == 1
