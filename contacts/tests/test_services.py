"""contacts.services: the rules the API, the admin and the importers share."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from clients.tests.factories import ClientFactory
from contacts import services
from contacts.models import Contact
from contacts.services import (
    contact_create,
    contact_set_account_owner,
    contact_soft_delete,
    contact_update,
)
from contacts.tests.factories import ContactFactory
from contacts_api.errors import ConflictError, NotFoundError, ServiceValidationError
from events.actors import SYSTEM

pytestmark = pytest.mark.django_db


def test_create_refuses_a_duplicate_email_even_when_the_python_check_is_passed(monkeypatch):
    ContactFactory(email="ada@example.com")
    monkeypatch.setattr(services, "email_taken", lambda *a, **k: False)
    with pytest.raises(ServiceValidationError) as error:
        contact_create(actor=SYSTEM, first_name="A", last_name="B", email="ADA@example.com", client=ClientFactory())
    assert error.value.errors == {"email": ["A user with this email already exists."]}


def test_the_database_refuses_two_living_users_with_one_email_in_any_case():
    ContactFactory(email="ada@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(email="Ada@Example.com")


def test_the_database_refuses_two_owners_for_one_client():
    owner = ContactFactory(is_account_owner=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(client=owner.client, is_account_owner=True)


def test_the_database_refuses_a_deleted_status_without_a_deletion_time():
    contact = ContactFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=contact.pk).update(status="deleted")


def test_create_sets_client_type_default_role_and_no_usable_password():
    contact = contact_create(actor=SYSTEM, first_name="A", last_name="B", email="a@b.example", client=ClientFactory())
    assert contact.user_type == "client"
    assert contact.role.name == "Client"
    assert not contact.has_usable_password()


def test_update_refuses_another_users_email():
    ContactFactory(email="taken@example.com")
    contact = ContactFactory()
    with pytest.raises(ServiceValidationError):
        contact_update(actor=SYSTEM, contact=contact, data={"email": "TAKEN@example.com"})


def test_soft_delete_frees_the_email_and_drops_ownership():
    contact = ContactFactory(email="ada@example.com", is_account_owner=True)
    contact_soft_delete(actor=SYSTEM, contact=contact)
    row = User.objects.get(pk=contact.pk)
    assert (row.status, row.is_account_owner) == ("deleted", False)
    assert contact_create(actor=SYSTEM, first_name="A", last_name="B", email="ada@example.com", client=row.client)


def test_soft_deleting_a_deleted_contact_is_not_found():
    contact = ContactFactory(deleted=True)
    with pytest.raises(NotFoundError):
        contact_soft_delete(actor=SYSTEM, contact=contact)


def test_set_account_owner_moves_ownership_within_one_client():
    first = ContactFactory(is_account_owner=True)
    second = ContactFactory(client=first.client)
    contact_set_account_owner(actor=SYSTEM, user=second)
    owners = Contact.objects.filter(client=first.client, is_account_owner=True)
    assert list(owners) == [second]


def test_set_account_owner_refuses_a_contact_without_client():
    with pytest.raises(ConflictError):
        contact_set_account_owner(actor=SYSTEM, user=ContactFactory(client=None))


def test_set_account_owner_refuses_a_contact_deleted_meanwhile():
    contact = ContactFactory()
    stale = Contact.objects.get(pk=contact.pk)
    contact_soft_delete(actor=SYSTEM, contact=contact)
    with pytest.raises(NotFoundError):
        contact_set_account_owner(actor=SYSTEM, user=stale)


def test_update_refuses_a_contact_deleted_meanwhile_and_changes_nothing():
    contact = ContactFactory(first_name="Ada")
    stale = Contact.objects.get(pk=contact.pk)
    contact_soft_delete(actor=SYSTEM, contact=contact)
    with pytest.raises(NotFoundError):
        contact_update(actor=SYSTEM, contact=stale, data={"first_name": "Grace"})
    assert Contact.objects.get(pk=contact.pk).first_name == "Ada"


def test_update_of_the_status_of_a_contact_deleted_meanwhile_is_not_found():
    # The stale status would break the soft-deletion constraint: a 404, never a 500.
    contact = ContactFactory(status=User.Status.INACTIVE)
    stale = Contact.objects.get(pk=contact.pk)
    contact_soft_delete(actor=SYSTEM, contact=contact)
    with pytest.raises(NotFoundError):
        contact_update(actor=SYSTEM, contact=stale, data={"status": User.Status.ACTIVE})
    assert Contact.objects.get(pk=contact.pk).status == User.Status.DELETED
