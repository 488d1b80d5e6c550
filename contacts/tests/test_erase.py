"""Erasure (API.md 8.2): POST /contacts/{id}/erase, the admin action and retention."""

import subprocess
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import StaffUserFactory
from contacts.models import Contact
from contacts.services import enqueue_welcome_email
from contacts.tests.factories import ContactFactory
from contacts.tests.test_admin import ADD, CHANGELIST, add_form, run_action
from contacts_api.testing import USING_POSTGRES, envelope_error, run_command
from events.actors import SYSTEM
from events.models import Event
from idempotency.models import IdempotencyRecord

pytestmark = pytest.mark.django_db
KEPT = {"id", "type", "occurred_at", "contact_id", "client_id", "actor"}


def erase(api, pk, **headers):
    return api.post(f"/api/v1/contacts/{pk}/erase", **headers)


@pytest.fixture
def contact(api, company):
    """A contact with a history: created and changed through the API."""
    created = api.post("/api/v1/contacts", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                                            "phone": "+44 20 7946 0000", "clientid": company.pk},
                       format="json").json()["data"]
    api.patch(f"/api/v1/contacts/{created['id']}", {"phone": "+44 20 7946 1111"}, format="json")
    return Contact.objects.get(pk=created["id"])


def test_erase_is_a_200_with_null_data(api, contact):
    response = erase(api, contact.pk)
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Contact erased successfully.", "data": None}


def test_after_erasure_the_id_is_a_404_everywhere(api, contact):
    erase(api, contact.pk)
    for request in (api.get(f"/api/v1/contacts/{contact.pk}"), api.get(f"/api/v1/contacts/{contact.pk}/history"),
                    api.post(f"/api/v1/contacts/{contact.pk}/restore"), erase(api, contact.pk)):
        assert envelope_error(request) == (404, "not_found")
        assert request.json()["message"] == "Contact not found."
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_its_events_keep_only_what_happened_and_an_erased_event_is_recorded(api, contact):
    erase(api, contact.pk, HTTP_X_REQUEST_ID="erase-req-1")
    events = [e for e in api.get("/api/v1/events").json()["data"] if e["contact_id"] == contact.pk]
    assert [e["type"] for e in events] == ["contact.created", "contact.updated", "contact.erased"]
    for event in events[:2]:
        assert set(event) == KEPT
    assert set(events[2]) == KEPT | {"request_id"}
    assert events[2]["request_id"] == "erase-req-1"
    assert events[2]["actor"]["type"] == "api_key"
    assert api.get(f"/api/v1/events/{events[0]['id']}").json()["data"] == events[0]


def test_a_soft_deleted_contact_can_be_erased(api, contact):
    api.delete(f"/api/v1/contacts/{contact.pk}")
    assert erase(api, contact.pk).status_code == 200
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_if_match_on_another_version_is_a_412_and_nothing_changes(api, contact):
    response = erase(api, contact.pk, HTTP_IF_MATCH='"1"')
    assert envelope_error(response) == (412, "precondition_failed")
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert Event.objects.filter(contact_id=contact.pk, data__isnull=True).count() == 0


def test_if_match_on_the_current_version_erases(api, contact):
    assert erase(api, contact.pk, HTTP_IF_MATCH='"2"').status_code == 200


def test_a_read_key_cannot_erase(read_api, contact):
    assert envelope_error(erase(read_api, contact.pk)) == (403, "permission_denied")
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_staff_users_id_is_a_404(api):
    assert envelope_error(erase(api, StaffUserFactory().pk)) == (404, "not_found")


def test_the_idempotency_records_that_showed_it_are_removed(api, contact, company):
    other = ContactFactory(client=company)
    api.patch(f"/api/v1/contacts/{contact.pk}", {"last_name": "King"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    api.patch(f"/api/v1/contacts/{other.pk}", {"last_name": "Kept"}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    erase(api, contact.pk)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k2"]


def test_its_welcome_email_task_rows_are_removed(api, contact, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    enqueue_welcome_email(contact.pk)  # what a create with send_email=yes does after commit
    enqueue_welcome_email(contact.pk + 1)
    erase(api, contact.pk)
    assert list(DBTaskResult.objects.values_list("args_kwargs__args", flat=True)) == [[contact.pk + 1]]


def test_the_admin_log_keeps_no_name(admin_client, api, company):
    admin_client.post(ADD, add_form(company.pk, first_name="Augusta", email="augusta@example.com"))
    contact = Contact.objects.get(email="augusta@example.com")
    assert "Augusta" in LogEntry.objects.get().object_repr
    erase(api, contact.pk)
    assert LogEntry.objects.get().object_repr == f"Erased contact {contact.pk}"


def test_the_admin_action_asks_first(admin_client, contact):
    page = run_action(admin_client, "erase", contact)
    assert page.status_code == 200
    assert "Yes, erase them" in page.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_the_admin_action_erases_after_the_confirmation(admin_client, contact):
    response = admin_client.post(
        CHANGELIST, {"action": "erase", "_selected_action": [contact.pk], "post": "yes"}, follow=True
    )
    assert "1 contact erased." in response.content.decode()
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Event.objects.filter(contact_id=contact.pk, type="contact.erased").get().actor["type"] == "staff"


def _deleted_days_ago(days: float) -> Contact:
    return ContactFactory(deleted=True, deleted_at=timezone.now() - timedelta(days=days))


def test_purge_erases_contacts_deleted_longer_ago_than_the_setting(settings):
    settings.CONTACTS_ERASE_DELETED_AFTER_DAYS = 30
    old, recent, living = _deleted_days_ago(31), _deleted_days_ago(29), ContactFactory()
    code, out, _err = run_command("purge")
    assert code == 0
    assert "deleted contacts erased: 1" in out
    assert set(Contact.objects.values_list("pk", flat=True)) == {recent.pk, living.pk}
    assert Event.objects.get(contact_id=old.pk).actor == {"type": "system", "id": None, "name": None}


def test_purge_keeps_deleted_contacts_when_the_setting_is_0(settings):
    settings.CONTACTS_ERASE_DELETED_AFTER_DAYS = 0
    old = _deleted_days_ago(400)
    _code, out, _err = run_command("purge")
    assert "deleted contacts erased: 0" in out
    assert Contact.objects.filter(pk=old.pk).exists()


def _database_dump() -> str:
    """The whole database as text: pg_dump, or SQLite's dump."""
    if USING_POSTGRES:
        db = connection.settings_dict
        command = ["pg_dump", "--no-owner", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
                   "-U", db["USER"], db["NAME"]]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout
    return "\n".join(connection.connection.iterdump())


@pytest.mark.django_db(transaction=True)
def test_after_erasure_its_personal_data_is_nowhere_in_the_database(api, admin_client, company):
    secrets = ["Zebediah", "Quartermaine", "zeb.first@example.com", "zeb.second@example.com",
               "+44 20 7946 3141", "+44 20 7946 2718"]
    admin_client.post(ADD, add_form(company.pk, first_name=secrets[0], last_name=secrets[1], email=secrets[2],
                                    phone=secrets[4]))
    pk = Contact.objects.get(email=secrets[2]).pk
    api.patch(f"/api/v1/contacts/{pk}", {"email": secrets[3], "phone": secrets[5]}, format="json",
              HTTP_IDEMPOTENCY_KEY="patch-1")
    api.post("/api/v1/contacts/batch", {"contacts": [{"email": secrets[3], "clientid": company.pk,
                                                      "position": "Chief"}]},
             format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    before = _database_dump()
    assert all(secret in before or secret.encode().hex() in before.lower() for secret in secrets)

    assert erase(api, pk).status_code == 200
    after = _database_dump()
    for secret in secrets:
        assert secret not in after
        assert secret.encode().hex() not in after.lower()  # nor inside a binary column


def test_retention_stops_between_contacts_when_asked(settings):
    from contacts.services import erase_deleted_contacts

    settings.CONTACTS_ERASE_DELETED_AFTER_DAYS = 30
    _deleted_days_ago(40)
    second = _deleted_days_ago(40)
    answers = iter([False, True])  # go on before the first contact, stop before the second
    erased = erase_deleted_contacts(actor=SYSTEM, stop=lambda: next(answers))
    assert erased == 1
    assert set(Contact.objects.values_list("pk", flat=True)) == {second.pk}
