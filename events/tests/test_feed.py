"""GET /events, /events/{id} and /contacts/{id}/history (API.md 7.2, 7.3)."""

from datetime import timedelta

import pytest

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error, run_command
from events.feed import encode_cursor
from events.models import Event

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"


def rename(api, contact, name):
    assert api.patch(f"/api/v1/contacts/{contact.pk}", {"first_name": name}, format="json").status_code == 200


@pytest.fixture
def five_changes(api):
    contact = ContactFactory()
    for index in range(5):
        rename(api, contact, f"Name{index}")
    return contact


def test_the_feed_pages_with_its_cursor_and_says_when_there_is_more(api, five_changes):
    first = api.get(URL, {"limit": 3}).json()
    assert first["message"] == "Events retrieved successfully."
    assert [e["data"]["first_name"] for e in first["data"]] == ["Name0", "Name1", "Name2"]
    assert first["meta"]["has_more"] is True
    second = api.get(URL, {"limit": 3, "after": first["meta"]["cursor"]}).json()
    assert [e["data"]["first_name"] for e in second["data"]] == ["Name3", "Name4"]
    assert second["meta"]["has_more"] is False
    assert f"after={second['meta']['cursor']}" in second["meta"]["links"]["next"]


def test_a_created_event_in_the_feed_and_history_lists_every_field_from_null(api, company):
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "clientid": company.pk}
    contact = api.post("/api/v1/contacts", body, format="json").json()["data"]
    expected = {name: {"from": None, "to": value} for name, value in contact.items() if name not in ("version", "dates")}
    [in_feed] = api.get(URL).json()["data"]
    [in_history] = api.get(f"/api/v1/contacts/{contact['id']}/history").json()["data"]
    assert in_feed["changes"] == in_history["changes"] == expected


def test_the_feed_writes_each_event_as_the_event_endpoint_does_key_for_key(api, company):
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "clientid": company.pk}
    contact = api.post("/api/v1/contacts", body, format="json", headers={"X-Request-ID": "req-7"}).json()["data"]
    rename(api, Contact.objects.get(pk=contact["id"]), "Grace")
    feed = api.get(URL).json()["data"]
    assert [event["type"] for event in feed] == ["contact.created", "contact.updated"]
    for event in feed:
        assert list(event.items()) == list(api.get(f"{URL}/{event['id']}").json()["data"].items())
    assert feed[0]["request_id"] == "req-7"


@pytest.mark.parametrize("microsecond", [0, 5, 123456])
def test_the_feed_writes_an_events_time_as_the_event_endpoint_does(api, five_changes, microsecond):
    event = Event.objects.order_by("id").first()
    event.occurred_at = event.occurred_at.replace(microsecond=microsecond)
    event.save(update_fields=["occurred_at"])
    in_feed = api.get(URL, {"limit": 1}).json()["data"][0]["occurred_at"]
    assert in_feed == api.get(f"{URL}/{event.public_id}").json()["data"]["occurred_at"]
    assert in_feed.endswith("Z") and ("." in in_feed) == bool(microsecond)


def test_an_empty_page_returns_the_cursor_it_was_given_and_later_events_follow(api, five_changes):
    cursor = api.get(URL).json()["meta"]["cursor"]
    empty = api.get(URL, {"after": cursor}).json()
    assert (empty["data"], empty["meta"]["cursor"]) == ([], cursor)
    rename(api, five_changes, "Later")
    assert [e["data"]["first_name"] for e in api.get(URL, {"after": cursor}).json()["data"]] == ["Later"]


def test_the_feed_filters_by_type_contact_and_client(api, five_changes):
    other = ContactFactory()
    rename(api, other, "Other")
    assert {e["contact_id"] for e in api.get(URL, {"contact_id": other.pk}).json()["data"]} == {other.pk}
    assert {e["client_id"] for e in api.get(URL, {"client_id": other.client_id}).json()["data"]} == {other.client_id}
    api.delete(f"/api/v1/contacts/{other.pk}")
    assert [e["type"] for e in api.get(URL, {"type": "contact.deleted,contact.restored"}).json()["data"]] == [
        "contact.deleted"
    ]


@pytest.mark.parametrize(
    "params, name",
    [({"after": "not a cursor"}, "after"), ({"after": encode_cursor((1, 2)) + "x"}, "after"),
     ({"type": "contact.renamed"}, "type"), ({"limit": 1001}, "limit"), ({"limit": "١"}, "limit"),
     ({"contact_id": "x"}, "contact_id")],
)
def test_a_malformed_parameter_is_a_422_naming_it(api, params, name):
    response = api.get(URL, params)
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == [name]


def test_a_cursor_older_than_the_events_kept_is_a_410(api, five_changes, settings):
    cursor = api.get(URL, {"limit": 1}).json()["meta"]["cursor"]
    Event.objects.update(occurred_at=Event.objects.first().occurred_at - timedelta(days=40))
    settings.EVENTS_RETENTION_DAYS = 30
    assert run_command("purge")[0] == 0
    response = api.get(URL, {"after": cursor})
    assert envelope_error(response) == (410, "cursor_expired")
    assert api.get(URL).status_code == 200  # a new start still works


def test_one_event_by_its_id_and_an_unknown_one_is_a_404(api, five_changes):
    first = api.get(URL).json()["data"][0]
    assert api.get(f"{URL}/{first['id']}").json()["data"] == first
    for unknown in ("evt_0000000099999999", "42", "evt_x"):
        response = api.get(f"{URL}/{unknown}")
        assert envelope_error(response) == (404, "not_found")
        assert response.json()["message"] == "Event not found."


def test_history_lists_one_contacts_events_oldest_first_also_when_deleted(api, five_changes):
    ContactFactory()
    api.delete(f"/api/v1/contacts/{five_changes.pk}")
    body = api.get(f"/api/v1/contacts/{five_changes.pk}/history", {"limit": 10}).json()
    assert body["message"] == "Contact history retrieved successfully."
    assert [e["type"] for e in body["data"]] == ["contact.updated"] * 5 + ["contact.deleted"]
    assert body["meta"]["pagination"]["total"] == 6


def test_history_of_an_unknown_contact_is_a_404(api):
    response = api.get("/api/v1/contacts/987654/history")
    assert envelope_error(response) == (404, "not_found")
    assert response.json()["message"] == "Contact not found."
