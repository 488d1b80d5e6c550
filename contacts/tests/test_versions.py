"""Versions, ETag, If-Match and If-None-Match (API.md 6.1)."""

import pytest

from accounts.models import User
from contacts.models import Contact
from contacts.services import contacts_bulk_write
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error, run_command, write_file
from events.actors import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(company):
    return ContactFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com", client=company)


def url(contact, action=""):
    return f"/api/v1/contacts/{contact.pk}" + (f"/{action}" if action else "")


def version_of(contact) -> int:
    return Contact.objects.get(pk=contact.pk).version


def test_a_new_contact_has_version_1_and_its_etag(api, company):
    response = api.post(
        "/api/v1/contacts",
        {"first_name": "Ada", "last_name": "L", "email": "new@example.com", "clientid": company.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["data"]["version"] == 1
    assert response["ETag"] == '"1"'


def test_a_get_carries_the_etag_of_the_version(api, contact):
    response = api.get(url(contact))
    assert response["ETag"] == '"1"'
    assert response.json()["data"]["version"] == 1


def test_an_update_that_changes_a_value_moves_the_version(api, contact):
    response = api.patch(url(contact), {"first_name": "Augusta"}, format="json")
    assert (response.json()["data"]["version"], response["ETag"]) == (2, '"2"')


def test_an_update_that_changes_nothing_keeps_the_version(api, contact):
    response = api.patch(url(contact), {"first_name": "Ada", "email": "ada@example.com"}, format="json")
    assert response.status_code == 200
    assert (response.json()["data"]["version"], version_of(contact)) == (1, 1)


def test_soft_delete_and_restore_each_move_the_version(api, contact):
    assert api.delete(url(contact))["ETag"] == '"2"'
    assert version_of(contact) == 2
    response = api.post(url(contact, "restore"))
    assert response.json()["data"]["version"] == 3


def test_setting_an_owner_moves_the_versions_of_both_owners(api, company, contact):
    previous = ContactFactory(client=company, is_account_owner=True)
    response = api.post(url(contact, "set-account-owner"))
    assert response.json()["data"]["version"] == 2
    assert version_of(previous) == 2


def test_setting_the_current_owner_again_keeps_its_version(api, company):
    owner = ContactFactory(client=company, is_account_owner=True)
    assert api.post(url(owner, "set-account-owner")).json()["data"]["version"] == 1


def test_a_bulk_update_moves_the_version_and_an_unchanged_row_keeps_it(company, contact):
    other = ContactFactory(client=company, first_name="Grace")
    contacts_bulk_write(
        [
            {"email": "ada@example.com", "client_id": company.pk, "first_name": "Augusta"},
            {"email": other.email, "client_id": company.pk, "first_name": "Grace"},
        ],
        actor=SYSTEM,
    )
    assert (version_of(contact), version_of(other)) == (2, 1)


def test_an_import_update_moves_the_version(tmp_path, company, contact):
    path = write_file(
        tmp_path, f"first_name,last_name,email,client_id\nAugusta,Lovelace,ada@example.com,{company.pk}\n", "c.csv"
    )
    assert run_command("import_contacts", path, "--update")[0] == 0
    assert version_of(contact) == 2


def test_the_list_and_the_export_carry_the_version(api, tmp_path, contact):
    assert api.get("/api/v1/contacts").json()["data"][0]["version"] == 1
    out = tmp_path / "out.jsonl"
    run_command("export_contacts", str(out))
    assert '"version": 1' in out.read_text()


def test_if_none_match_with_the_current_etag_is_a_304_without_a_body(api, contact):
    response = api.get(url(contact), headers={"If-None-Match": '"1"'})
    assert response.status_code == 304
    assert response["ETag"] == '"1"'
    assert response.content == b""


@pytest.mark.parametrize("header", ['W/"1"', '"7", "1"', "*"])
def test_if_none_match_compares_weakly_and_takes_lists_and_any(api, contact, header):
    assert api.get(url(contact), headers={"If-None-Match": header}).status_code == 304


def test_if_none_match_with_an_old_etag_is_a_200(api, contact):
    api.patch(url(contact), {"first_name": "Augusta"}, format="json")
    response = api.get(url(contact), headers={"If-None-Match": '"1"'})
    assert response.status_code == 200
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize(
    "method, action, body",
    [("patch", "", {"first_name": "X"}), ("put", "", {"first_name": "X", "last_name": "Y", "email": "x@e.com"}),
     ("delete", "", None), ("post", "set-account-owner", None), ("post", "restore", None)],
)
def test_a_stale_if_match_is_a_412_and_changes_nothing(api, contact, method, action, body):
    Contact.objects.filter(pk=contact.pk).update(version=5)
    before = Contact.objects.values().get(pk=contact.pk)
    response = getattr(api, method)(url(contact, action), body, format="json", headers={"If-Match": '"4"'})
    assert envelope_error(response) == (412, "precondition_failed")
    assert response.json()["message"] == "The contact has changed since you read it."
    assert Contact.objects.values().get(pk=contact.pk) == before


@pytest.mark.parametrize("header", ['"1"', '"9", "1"', "*"])
def test_a_matching_if_match_lets_the_write_through(api, contact, header):
    response = api.patch(url(contact), {"first_name": "Augusta"}, format="json", headers={"If-Match": header})
    assert response.status_code == 200


def test_a_weak_tag_never_matches_if_match(api, contact):
    response = api.patch(url(contact), {"first_name": "X"}, format="json", headers={"If-Match": 'W/"1"'})
    assert envelope_error(response) == (412, "precondition_failed")


@pytest.mark.parametrize("header", ["1", "", '"1', "abc", '"1",,'])
def test_a_malformed_if_match_is_a_400_and_changes_nothing(api, contact, header):
    response = api.patch(url(contact), {"first_name": "X"}, format="json", headers={"If-Match": header})
    assert envelope_error(response) == (400, "bad_request")
    assert Contact.objects.get(pk=contact.pk).first_name == "Ada"


def test_if_match_on_an_unknown_contact_is_a_404(api):
    response = api.patch("/api/v1/contacts/987654", {"first_name": "X"}, format="json", headers={"If-Match": "*"})
    assert envelope_error(response) == (404, "not_found")


def test_an_admin_edit_moves_the_version(admin_client, contact):
    data = {
        "first_name": "Augusta", "last_name": "Lovelace", "email": "ada@example.com",
        "client": contact.client_id, "status": User.Status.ACTIVE,
    }
    response = admin_client.post(f"/admin/contacts/contact/{contact.pk}/change/", data)
    assert response.status_code == 302
    assert version_of(contact) == 2
