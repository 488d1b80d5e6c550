"""Roles, API keys and staff users in the admin."""

import pytest

from accounts.keys import key_prefix
from accounts.models import APIKey, Role
from accounts.services import api_key_verify
from accounts.tests.factories import RoleFactory
from clients.tests.factories import ClientFactory
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_roles_can_be_added_and_edited(admin_client):
    assert admin_client.post("/admin/accounts/role/add/", {"name": "Partner"}).status_code == 302
    role = Role.objects.get(name="Partner")
    admin_client.post(f"/admin/accounts/role/{role.pk}/change/", {"name": "Partners"})
    role.refresh_from_db()
    assert role.name == "Partners"


def test_a_role_in_use_cannot_be_deleted(admin_client):
    role = RoleFactory(name="Partner")
    ContactFactory(role=role)
    page = admin_client.get(f"/admin/accounts/role/{role.pk}/delete/")
    assert page.status_code == 200
    assert "would require deleting the following protected related objects" in page.content.decode()
    admin_client.post(f"/admin/accounts/role/{role.pk}/delete/", {"post": "yes"})
    assert Role.objects.filter(pk=role.pk).exists()


def test_an_unused_role_can_be_deleted(admin_client):
    role = RoleFactory(name="Spare")
    admin_client.post(f"/admin/accounts/role/{role.pk}/delete/", {"post": "yes"})
    assert not Role.objects.filter(pk=role.pk).exists()


def _add_key(admin_client, user, **fields):
    return admin_client.post(
        "/admin/accounts/apikey/add/",
        {"name": "sync", "user": user.pk, "scope": "read", "expires_at_0": "", "expires_at_1": "", **fields},
    )


def test_a_new_api_key_is_shown_once_and_the_digest_never(admin_client, admin_user):
    response = _add_key(admin_client, admin_user)
    assert response.status_code == 200
    raw_key = response.context["raw_key"]
    assert raw_key in response.content.decode()
    key = api_key_verify(raw_key)
    assert (key.name, key.scope, key.user) == ("sync", "read", admin_user)
    again = admin_client.get("/admin/accounts/apikey/").content.decode()
    detail = admin_client.get(f"/admin/accounts/apikey/{key.pk}/change/").content.decode()
    for page in (again, detail):
        assert raw_key not in page
        assert key.digest not in page
    assert key.prefix in again


def test_a_new_api_key_travels_in_no_cookie(admin_client, admin_user):
    response = _add_key(admin_client, admin_user)
    raw_key = response.context["raw_key"]
    assert all(raw_key not in morsel.value for morsel in response.cookies.values())
    assert "messages" not in response.cookies


def test_a_key_can_be_bound_to_a_client_in_the_admin(admin_client, admin_user):
    client = ClientFactory()
    response = _add_key(admin_client, admin_user, client=client.pk)
    assert api_key_verify(response.context["raw_key"]).client_id == client.pk


def test_keys_belong_to_staff_only(admin_client):
    contact = ContactFactory()
    response = admin_client.post(
        "/admin/accounts/apikey/add/", {"name": "x", "user": contact.pk, "scope": "write"}
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors


def test_action_revoke(admin_client, make_api_key):
    key, raw = make_api_key()
    admin_client.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key_prefix(raw) == key.prefix


def test_the_user_admin_lists_staff_only(admin_client, staff_user):
    ContactFactory(email="contact@example.com")
    response = admin_client.get("/admin/accounts/user/")
    emails = {u.email for u in response.context["cl"].result_list}
    assert staff_user.email in emails
    assert "contact@example.com" not in emails


def test_staff_can_be_added_in_the_user_admin(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": "newstaff", "email": "new@staff.example", "password1": "A long passphrase 42",
         "password2": "A long passphrase 42", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert APIKey.objects.count() == 0
    from accounts.models import User

    user = User.objects.get(username="newstaff")
    assert (user.is_staff, user.user_type) == (True, "staff")
