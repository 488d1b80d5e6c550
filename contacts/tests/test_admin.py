"""The contacts admin: the API's rules and services behind staff screens."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import StaffUserFactory
from clients.tests.factories import ClientFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from events.actors import SYSTEM

CHANGELIST = "/admin/contacts/contact/"
ADD = "/admin/contacts/contact/add/"
pytestmark = pytest.mark.django_db


def listed(response):
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def run_action(admin_client, action, *contacts, query=""):
    return admin_client.post(
        CHANGELIST + query,
        {"action": action, "_selected_action": [c.pk for c in contacts]},
        follow=True,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_changelist_hides_soft_deleted_contacts_and_staff(admin_client):
    alive = ContactFactory()
    ContactFactory(deleted=True)
    assert listed(admin_client.get(CHANGELIST)) == {alive.pk}


@pytest.mark.parametrize("status", ["active", "inactive", "deleted"])
def test_the_status_filter_shows_each_status(admin_client, status):
    rows = {
        "active": ContactFactory(),
        "inactive": ContactFactory(status="inactive"),
        "deleted": ContactFactory(deleted=True),
    }
    assert listed(admin_client.get(CHANGELIST, {"status": status})) == {rows[status].pk}


def test_filters_for_account_owner_client_and_role(admin_client):
    owner = ContactFactory(is_account_owner=True)
    other = ContactFactory()
    assert listed(admin_client.get(CHANGELIST, {"is_account_owner__exact": "1"})) == {owner.pk}
    assert listed(admin_client.get(CHANGELIST, {"client__id__exact": other.client_id})) == {other.pk}
    assert listed(admin_client.get(CHANGELIST, {"role__id__exact": owner.role_id})) == {owner.pk, other.pk}


@pytest.mark.parametrize("term, expected", [("ada love", "ada"), ("jo", "john"), ("(20) 7946-0000", "ada")])
def test_search_follows_the_api_rule(admin_client, term, expected):
    people = {
        "ada": ContactFactory(first_name="Ada", last_name="Lovelace", phone="+44 20 7946 0000"),
        "john": ContactFactory(first_name="John", last_name="Smith"),
        "bjorn": ContactFactory(first_name="Bjorn", last_name="Borg"),
    }
    assert listed(admin_client.get(CHANGELIST, {"q": term})) == {people[expected].pk}


@pytest.mark.parametrize(
    "column, key",
    [("1", "last_name"), ("-1", "-last_name"), ("2", "email"), ("-2", "-email")],
)
def test_a_column_header_sorts_by_its_field(admin_client, column, key):
    for last_name, email in [("Byron", "c@example.com"), ("Anning", "b@example.com"), ("Curie", "a@example.com")]:
        ContactFactory(last_name=last_name, email=email)
    response = admin_client.get(CHANGELIST, {"o": column})
    assert response.status_code == 200
    shown = [row.pk for row in response.context["cl"].result_list]
    assert shown == list(Contact.objects.order_by(key).values_list("pk", flat=True))


def test_the_changelist_runs_as_many_queries_for_100_rows_as_for_10(admin_client):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(captured)

    for _ in range(10):
        ContactFactory()
    ten = count_queries()
    for _ in range(90):
        ContactFactory()
    assert count_queries() == ten


def add_form(client_pk, **overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "client": client_pk,
        "status": "active",
        "phone": "",
        "job_position": "",
        "linkedin": "",
        "twitter": "",
        "facebook": "",
        "instagram": "",
        "skype": "",
    }
    return {**data, **overrides}


def test_adding_a_contact_uses_the_service(admin_client, django_capture_on_commit_callbacks):
    company = ClientFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD, add_form(company.pk, send_welcome_email="on", email="Ada@Example.COM"))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.email, contact.user_type, contact.role.name) == ("Ada@example.com", "client", "Client")
    assert not contact.has_usable_password()
    assert len(mail.outbox) == 1


def test_adding_without_the_checkbox_sends_no_email(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ADD, add_form(ClientFactory().pk))
    assert Contact.objects.count() == 1
    assert mail.outbox == []


def test_an_email_taken_in_a_race_after_the_form_check_is_a_message_not_a_500(admin_client, monkeypatch):
    from contacts import admin as contacts_admin

    create = contacts_admin.contact_create

    def losing_the_race(**data):
        StaffUserFactory(email=data["email"].upper())  # another writer gets there first
        return create(**data)

    monkeypatch.setattr(contacts_admin, "contact_create", losing_the_race)
    response = admin_client.post(ADD, add_form(ClientFactory().pk), follow=True)
    assert response.redirect_chain == [(ADD, 302)]
    assert messages_of(response) == ["A user with this email already exists."]
    assert not User.objects.filter(email__iexact=add_form(0)["email"]).exists()


def test_a_contact_deleted_while_its_form_was_open_is_a_message_not_a_500(admin_client, monkeypatch):
    from contacts import admin as contacts_admin
    from contacts.services import contact_soft_delete

    update = contacts_admin.contact_update

    def deleted_meanwhile(*, contact, data, actor):
        contact_soft_delete(actor=SYSTEM, contact=Contact.objects.get(pk=contact.pk))  # another writer
        return update(contact=contact, data=data, actor=actor)

    monkeypatch.setattr(contacts_admin, "contact_update", deleted_meanwhile)
    contact = ContactFactory(first_name="Ada")
    change = f"/admin/contacts/contact/{contact.pk}/change/"
    form = add_form(contact.client_id, email=contact.email, first_name="Grace")
    response = admin_client.post(change, form, follow=True)
    assert response.redirect_chain == [(change, 302)]
    assert messages_of(response) == ["Contact not found."]
    assert Contact.objects.get(pk=contact.pk).first_name == "Ada"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "TAKEN@example.com"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"first_name": "  "}, "first_name"),
        ({"email": "nope"}, "email"),
        ({"status": "deleted"}, "status"),
    ],
)
def test_the_add_form_applies_the_api_rules(admin_client, overrides, field):
    StaffUserFactory(email="taken@example.com")
    response = admin_client.post(ADD, add_form(ClientFactory().pk, **overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Contact.objects.exists()


def test_editing_keeps_the_one_owner_rule_when_moving_to_another_client(admin_client):
    owner = ContactFactory(is_account_owner=True)
    other_owner = ContactFactory(is_account_owner=True)
    response = admin_client.post(
        f"/admin/contacts/contact/{owner.pk}/change/",
        add_form(other_owner.client_id, email=owner.email),
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.client_id, owner.is_account_owner) == (other_owner.client_id, False)


def test_action_set_account_owner(admin_client):
    previous = ContactFactory(is_account_owner=True)
    contact = ContactFactory(client=previous.client)
    response = run_action(admin_client, "set_account_owner", contact)
    contact.refresh_from_db()
    previous.refresh_from_db()
    assert (contact.is_account_owner, previous.is_account_owner) == (True, False)
    assert any("is now the account owner" in m for m in messages_of(response))


def test_action_set_account_owner_needs_exactly_one_contact(admin_client):
    first, second = ContactFactory(), ContactFactory()
    response = run_action(admin_client, "set_account_owner", first, second)
    assert "Select exactly one contact to make account owner." in messages_of(response)
    assert not Contact.objects.filter(is_account_owner=True).exists()


def test_action_set_account_owner_refuses_a_contact_without_client(admin_client):
    contact = ContactFactory(client=None)
    response = run_action(admin_client, "set_account_owner", contact)
    assert any("does not belong to a client account" in m for m in messages_of(response))


def test_action_soft_delete(admin_client):
    contact = ContactFactory(is_account_owner=True)
    run_action(admin_client, "soft_delete", contact)
    row = User.objects.get(pk=contact.pk)
    assert (row.status, row.is_account_owner, row.deleted_at is not None) == ("deleted", False, True)


def test_there_is_no_hard_delete(admin_client):
    contact = ContactFactory()
    assert "delete_selected" not in admin_client.get(CHANGELIST).context["action_form"].fields["action"].choices.__repr__()
    assert admin_client.get(f"/admin/contacts/contact/{contact.pk}/delete/").status_code == 403


def test_action_restore(admin_client):
    contact = ContactFactory(deleted=True)
    run_action(admin_client, "restore", contact, query="?status=deleted")
    contact.refresh_from_db()
    assert (contact.status, contact.deleted_at) == ("active", None)


def test_action_restore_is_refused_when_the_email_belongs_to_another_user(admin_client):
    contact = ContactFactory(email="ada@example.com", deleted=True)
    ContactFactory(email="ADA@example.com")
    response = run_action(admin_client, "restore", contact, query="?status=deleted")
    contact.refresh_from_db()
    assert contact.status == "deleted"
    assert any("not restored" in m for m in messages_of(response))


def test_action_resend_welcome_email(admin_client, django_capture_on_commit_callbacks):
    contact = ContactFactory()
    with django_capture_on_commit_callbacks(execute=True):
        run_action(admin_client, "resend_welcome_email", contact)
    assert [m.to for m in mail.outbox] == [[contact.email]]


def test_a_deleted_contact_opens_read_only(admin_client):
    contact = ContactFactory(deleted=True)
    response = admin_client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


def test_the_client_field_is_an_autocomplete(admin_client):
    ClientFactory.create_batch(3)
    html = admin_client.get(ADD).content.decode()
    assert "admin-autocomplete" in html
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "contacts", "model_name": "contact", "field_name": "client", "term": "Company"},
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
