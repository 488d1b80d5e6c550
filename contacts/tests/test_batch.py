"""POST /api/v1/contacts/batch (API.md 6.3)."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import StaffUserFactory
from clients.tests.factories import ClientFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts/batch"


def item(company, email, **fields):
    return {"email": email, "clientid": company.pk, **fields}


def new_item(company, email, **fields):
    return item(company, email, first_name="Ada", last_name="Lovelace", **fields)


def batch(api, contacts, **body):
    return api.post(URL, {"contacts": contacts, **body}, format="json")


def test_new_emails_are_created_and_results_come_in_order(api, company):
    response = batch(api, [new_item(company, "a@example.com"), new_item(company, "b@example.com")])
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Batch processed successfully."
    assert [(r["index"], r["result"]) for r in body["data"]] == [(0, "created"), (1, "created")]
    first = body["data"][0]
    assert first["id"] == first["contact"]["id"] == Contact.objects.get(email="a@example.com").pk
    assert first["contact"]["version"] == 1
    assert body["meta"] == {"summary": {"created": 2, "updated": 0, "unchanged": 0, "failed": 0}}


def test_a_living_contact_of_the_client_is_updated_with_the_given_fields_only(api, company):
    contact = ContactFactory(client=company, email="ada@example.com", first_name="Ada", phone="+1 555")
    response = batch(api, [item(company, "ADA@example.com", last_name="King")])
    [result] = response.json()["data"]
    assert (result["result"], result["id"]) == ("updated", contact.pk)
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.phone, contact.version) == ("Ada", "King", "+1 555", 2)


def test_an_item_with_no_different_value_is_unchanged_and_keeps_its_version(api, company):
    contact = ContactFactory(client=company, email="ada@example.com", first_name="Ada")
    [result] = batch(api, [item(company, "ada@example.com", first_name="Ada")]).json()["data"]
    assert result["result"] == "unchanged"
    assert result["contact"]["version"] == 1
    contact.refresh_from_db()
    assert contact.version == 1


def test_a_staff_users_or_another_clients_email_is_an_error_on_email(api, company):
    StaffUserFactory(email="staff@example.com")
    ContactFactory(client=ClientFactory(), email="other@example.com")
    data = batch(api, [new_item(company, "staff@example.com"), new_item(company, "other@example.com")]).json()["data"]
    assert [r["errors"] for r in data] == [{"email": ["A user with this email already exists."]}] * 2


def test_an_email_repeated_in_the_batch_is_an_error_on_the_later_item(api, company):
    data = batch(api, [new_item(company, "a@example.com"), new_item(company, "A@example.com")]).json()["data"]
    assert data[0]["result"] == "created"
    assert data[1] == {"index": 1, "result": "error", "errors": {"email": ["This email appears earlier in the batch."]}}


def test_a_soft_deleted_contacts_email_creates_a_new_contact(api, company):
    old = ContactFactory(client=company, email="ada@example.com", deleted=True)
    [result] = batch(api, [new_item(company, "ada@example.com")]).json()["data"]
    assert result["result"] == "created" and result["id"] != old.pk


def test_a_new_email_without_names_is_an_error_naming_them(api, company):
    [result] = batch(api, [item(company, "a@example.com")]).json()["data"]
    assert result["errors"] == {"first_name": ["This field is required."], "last_name": ["This field is required."]}


def test_invalid_fields_and_unknown_clients_fail_their_item_and_the_others_land(api, company):
    items = [
        new_item(company, "not-an-email"),
        {**new_item(company, "a@example.com"), "clientid": 987654},
        new_item(company, "ok@example.com", phone="call me"),
        new_item(company, "good@example.com"),
    ]
    body = batch(api, items).json()
    errors = [r.get("errors") for r in body["data"]]
    assert errors[0] == {"email": ["Enter a valid email address."]}
    assert errors[1] == {"clientid": ["Unknown client."]}
    assert list(errors[2]) == ["phone"]
    assert body["data"][3]["result"] == "created"
    assert body["meta"]["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "failed": 3}
    assert list(Contact.objects.values_list("email", flat=True)) == ["good@example.com"]


def test_atomic_refuses_the_whole_batch_when_an_item_fails(api, company):
    ContactFactory(client=ClientFactory(), email="taken@example.com")
    response = batch(api, [new_item(company, "a@example.com"), new_item(company, "taken@example.com")], atomic=True)
    assert envelope_error(response) == (422, "validation_failed")
    assert response.json()["errors"] == {"contacts[1].email": ["A user with this email already exists."]}
    assert not Contact.objects.filter(email="a@example.com").exists()


def test_atomic_names_field_errors_by_item(api, company):
    response = batch(api, [new_item(company, "a@example.com"), {"clientid": company.pk}], atomic=True)
    assert response.json()["errors"] == {"contacts[1].email": ["This field is required."]}
    assert not Contact.objects.exists()


def test_send_email_sends_the_welcome_email_to_created_items_only(api, company, django_capture_on_commit_callbacks):
    ContactFactory(client=company, email="old@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        batch(api, [new_item(company, "new@example.com", send_email="yes"), item(company, "old@example.com", send_email="yes", first_name="X")])
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


@pytest.mark.parametrize(
    "body",
    [[], {"contacts": "x"}, {"contacts": []}, {"contacts": [1]}, {}, {"contacts": [{}] * 101}],
    ids=["a list", "a string", "empty", "not objects", "missing", "101 items"],
)
def test_a_malformed_body_is_a_422_naming_contacts_and_writes_nothing(api, body):
    response = api.post(URL, body, format="json")
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == ["contacts"]
    assert not Contact.objects.exists()


def mixed_batch(company, size, tag):
    existing = [ContactFactory(client=company, email=f"{tag}{i}@example.com") for i in range(size // 2)]
    items = [item(company, c.email, last_name="Changed", phone="+1 555") for c in existing]
    return items + [new_item(company, f"{tag}-new{i}@example.com") for i in range(size - size // 2)]


def test_a_batch_of_100_costs_the_queries_of_a_batch_of_10(api, company):
    def queries(items):
        with CaptureQueriesContext(connection) as captured:
            assert batch(api, items).status_code == 200
        return len(captured)

    small, large = mixed_batch(company, 10, "s"), mixed_batch(company, 100, "l")
    api.get("/api/v1/roles")  # the key's first use of the day writes its last_used_at
    # Authentication, savepoints, then the batch: clients, (PostgreSQL: the contacts it may
    # change, waited for), the insert refused (ids, role), the lookup, the insert (ids,
    # role), the update, the updated rows, their events.
    assert queries(small) == queries(large) <= 18
