"""Concurrent writes against PostgreSQL with real threads: the database decides."""

import pytest

from clients.tests.factories import ClientFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import api_client_for, requires_postgres, run_concurrently

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_twelve_concurrent_creates_with_one_email_give_one_201_and_eleven_422s(write_key):
    company = ClientFactory()

    def create(index):
        response = api_client_for(write_key).post(
            "/api/v1/contacts",
            {"first_name": "Ada", "last_name": f"L{index}", "email": "race@example.com", "clientid": company.pk},
            format="json",
        )
        return response.status_code, response.json()

    results = run_concurrently(12, create)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [422] * 11
    for status, body in results:
        if status == 422:
            assert body["errors"] == {"email": ["A user with this email already exists."]}
    assert Contact.objects.filter(email__iexact="race@example.com").count() == 1


def test_concurrent_set_account_owner_calls_leave_exactly_one_owner(write_key):
    company = ClientFactory()
    contacts = [ContactFactory(client=company) for _ in range(8)]

    def set_owner(index):
        return api_client_for(write_key).post(f"/api/v1/contacts/{contacts[index].pk}/set-account-owner").status_code

    assert run_concurrently(8, set_owner) == [200] * 8
    assert Contact.objects.filter(client=company, is_account_owner=True).count() == 1


def test_writers_sending_the_version_they_read_cannot_both_win(write_key):
    contact = ContactFactory()

    def patch(index):
        return api_client_for(write_key).patch(
            f"/api/v1/contacts/{contact.pk}", {"last_name": f"Writer {index}"}, format="json",
            headers={"If-Match": '"1"'},
        ).status_code

    statuses = run_concurrently(8, patch)
    assert sorted(statuses) == [200] + [412] * 7
    contact.refresh_from_db()
    assert contact.version == 2


def test_creates_and_owner_changes_of_one_client_at_once_never_deadlock(write_key):
    company = ClientFactory()
    contacts = [ContactFactory(client=company) for _ in range(4)]

    def work(index):
        api = api_client_for(write_key)
        statuses = []
        for step in range(6):
            if index % 2:
                target = contacts[(index + step) % len(contacts)]
                statuses.append(api.post(f"/api/v1/contacts/{target.pk}/set-account-owner").status_code)
            else:
                body = {"first_name": "A", "last_name": "B", "email": f"w{index}-{step}@example.com",
                        "clientid": company.pk}
                statuses.append(api.post("/api/v1/contacts", body, format="json").status_code)
        return statuses

    statuses = sum(run_concurrently(8, work), [])
    assert 503 not in statuses and set(statuses) <= {200, 201}
    assert Contact.objects.filter(client=company, is_account_owner=True).count() == 1
