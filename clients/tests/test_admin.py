"""The clients admin."""

import pytest

from clients.tests.factories import ClientFactory
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_the_changelist_shows_contacts_count_and_account_owner(admin_client):
    client = ClientFactory(company_name="Analytical Engines Ltd")
    ContactFactory(client=client, first_name="Ada", last_name="Owner", is_account_owner=True)
    ContactFactory(client=client)
    ContactFactory(client=client, deleted=True)
    response = admin_client.get("/admin/clients/client/")
    html = response.content.decode()
    assert "Analytical Engines Ltd" in html
    assert "Ada Owner" in html
    row = response.context["cl"].result_list[0]
    assert row.contacts_count == 2


def test_the_changelist_searches_company_names(admin_client):
    wanted = ClientFactory(company_name="Analytical Engines Ltd")
    ClientFactory(company_name="Difference Works")
    response = admin_client.get("/admin/clients/client/", {"q": "engines"})
    assert [c.pk for c in response.context["cl"].result_list] == [wanted.pk]


def test_the_change_page_lists_living_contacts_read_only_with_links(admin_client):
    client = ClientFactory()
    alive = ContactFactory(client=client, first_name="Living")
    ContactFactory(client=client, first_name="Gone", deleted=True)
    html = admin_client.get(f"/admin/clients/client/{client.pk}/change/").content.decode()
    assert f'href="/admin/contacts/contact/{alive.pk}/change/"' in html
    assert "Gone" not in html
