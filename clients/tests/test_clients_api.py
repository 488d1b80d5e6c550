"""GET /api/v1/clients, /clients/{id} and /roles (API.md 4)."""

import pytest

from accounts.models import Role
from clients.models import Client
from clients.tests.factories import ClientFactory
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db


def test_it_lists_clients_with_contacts_count_and_account_owner(api):
    client = ClientFactory(company_name="Analytical Engines Ltd", email="", website="")
    owner = ContactFactory(client=client, first_name="Ada", last_name="L", email="ada@x.example", is_account_owner=True)
    ContactFactory(client=client)
    ContactFactory(client=client, deleted=True)
    empty = ClientFactory()
    response = api.get("/api/v1/clients")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Clients retrieved successfully."
    first, second = body["data"]
    created = client.created_at.isoformat().replace("+00:00", "Z")
    assert first == {
        "id": client.pk,
        "company_name": "Analytical Engines Ltd",
        "email": None,
        "phone": "+44 20 7946 0000",
        "website": None,
        "status": "active",
        "contacts_count": 2,
        "account_owner": {"id": owner.pk, "name": "Ada L", "email": "ada@x.example"},
        "dates": {"created": created, "updated": created},
    }
    assert (second["id"], second["contacts_count"], second["account_owner"]) == (empty.pk, 0, None)
    assert body["meta"]["pagination"]["total"] == 2


def test_it_searches_company_names_by_substring_in_any_case(api):
    wanted = ClientFactory(company_name="Analytical Engines Ltd")
    ClientFactory(company_name="Difference Works")
    data = api.get("/api/v1/clients", {"search": "ENGINE"}).json()["data"]
    assert [c["id"] for c in data] == [wanted.pk]


def test_clients_paginate(api):
    for _ in range(3):
        ClientFactory()
    body = api.get("/api/v1/clients", {"limit": 2, "page": 2}).json()
    assert len(body["data"]) == 1
    assert body["meta"]["pagination"]["total_pages"] == 2
    assert envelope_error(api.get("/api/v1/clients", {"limit": 0})) == (422, "validation_failed")


def test_it_returns_one_client(api):
    client = ClientFactory()
    response = api.get(f"/api/v1/clients/{client.pk}/")
    assert response.json()["message"] == "Client retrieved successfully."
    assert response.json()["data"]["id"] == client.pk


def test_an_unknown_client_is_a_404(api):
    response = api.get("/api/v1/clients/987654")
    assert envelope_error(response) == (404, "not_found")
    assert response.json()["message"] == "Client not found."


def test_clients_are_read_only(api):
    assert envelope_error(api.post("/api/v1/clients", {}, format="json")) == (405, "method_not_allowed")


def test_it_lists_roles(api):
    body = api.get("/api/v1/roles").json()
    assert body["message"] == "Roles retrieved successfully."
    assert [r["name"] for r in body["data"]] == ["Client", "Staff"]
    assert set(body["data"][0]) == {"id", "name"}


def test_clients_made_in_bulk_get_their_dates_from_the_database(api):
    Client.objects.bulk_create([Client(company_name="Bulk Ltd")])
    body = api.get("/api/v1/clients", {"search": "bulk"}).json()
    assert body["data"][0]["dates"]["created"] is not None


def test_a_role_added_is_listed_at_once(api):
    before = api.get("/api/v1/roles").json()["meta"]["pagination"]["total"]
    Role.objects.bulk_create([Role(name="Auditor")])
    assert api.get("/api/v1/roles").json()["meta"]["pagination"]["total"] == before + 1
