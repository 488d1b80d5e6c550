"""Keys bound to one client (API.md 8.1): another client's data is an unknown id, everywhere."""

import pytest
from django.urls import reverse

from clients.tests.factories import ClientFactory
from contacts.tests.factories import ContactFactory
from contacts_api.testing import api_client_for
from contacts_api.urls import router
from events.models import Event
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

UNKNOWN_ID = 999_999_999
# A body each write route accepts, so that the answer is the lookup's, not validation's.
BODIES = {
    "contact": {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"},
    "webhook": {"description": "changed"},
}


@pytest.fixture
def ours():
    return ClientFactory(company_name="Ours Ltd")


@pytest.fixture
def theirs():
    return ClientFactory(company_name="Theirs Ltd")


@pytest.fixture
def bound(make_api_key, ours):
    """An API client with a write key bound to `ours`."""
    return api_client_for(make_api_key(client=ours)[1])


@pytest.fixture
def their_data(api, theirs):
    """Their contact (with events, written through the API), event and webhook endpoint."""
    created = api.post("/api/v1/contacts", {"first_name": "Their", "last_name": "Contact",
                                            "email": "their.contact@example.com", "clientid": theirs.pk},
                       format="json").json()["data"]
    endpoint = WebhookEndpoint.objects.create(url="https://hooks.example.com/x", event_types=["*"], client=theirs)
    event = Event.objects.get(contact_id=created["id"])
    return {"contact": created["id"], "client": theirs.pk, "event": event.public_id, "webhook": endpoint.pk}


def _detail_requests():
    """(method, url name, basename) of every route with an id, from the router."""
    for _prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            if not route.detail:
                continue
            for method, action in route.mapping.items():
                if hasattr(viewset, action) and method in viewset.http_method_names:
                    yield method, route.name.format(basename=basename), basename


def _answer(response):
    body = response.json() if response.content else None
    return response.status_code, body


def test_every_route_with_an_id_answers_another_clients_id_as_an_unknown_one(bound, their_data):
    walked = 0
    for method, name, basename in _detail_requests():
        unknown = f"evt_{UNKNOWN_ID:016d}" if basename == "event" else UNKNOWN_ID
        body = BODIES.get(basename) if method in ("put", "patch") else None
        answers = [
            _answer(getattr(bound, method)(reverse(name, kwargs={"pk": pk}), body, format="json"))
            for pk in (their_data[basename], unknown)
        ]
        assert answers[0] == answers[1], (method, name)
        assert answers[0][0] == 404, (method, name, answers[0])
        walked += 1
    assert walked >= 14  # contacts (9), clients, events, webhooks (5)


def test_nothing_of_theirs_changed_after_the_walk(bound, their_data, api):
    test_every_route_with_an_id_answers_another_clients_id_as_an_unknown_one(bound, their_data)
    contact = api.get(f"/api/v1/contacts/{their_data['contact']}").json()["data"]
    assert (contact["version"], contact["status"], contact["first_name"]) == (1, "active", "Their")
    assert WebhookEndpoint.objects.get(pk=their_data["webhook"]).description == ""


def test_every_viewset_declares_how_its_rows_name_their_client():
    for _prefix, viewset, _basename in router.registry:
        assert hasattr(viewset, "client_lookup"), viewset


def test_lists_and_totals_hold_only_the_keys_client(bound, ours, theirs):
    mine = ContactFactory(client=ours)
    ContactFactory.create_batch(3, client=theirs)
    body = bound.get("/api/v1/contacts").json()
    assert [row["id"] for row in body["data"]] == [mine.pk]
    assert body["meta"]["pagination"]["total"] == 1


def test_a_filter_on_another_client_is_an_unknown_clients_empty_list(bound, theirs):
    ContactFactory(client=theirs)
    other = bound.get(f"/api/v1/contacts?client_id={theirs.pk}").json()
    unknown = bound.get(f"/api/v1/contacts?client_id={UNKNOWN_ID}").json()
    assert other["data"] == unknown["data"] == []
    assert other["meta"]["pagination"]["total"] == unknown["meta"]["pagination"]["total"] == 0


def test_a_search_does_not_find_another_clients_contact(bound, theirs):
    ContactFactory(client=theirs, email="hidden.person@example.com")
    assert bound.get("/api/v1/contacts?search=hidden.person").json()["data"] == []


def _create(api, client_id):
    return api.post("/api/v1/contacts", {"first_name": "New", "last_name": "One", "email": "new.one@example.com",
                                         "clientid": client_id}, format="json")


def test_creating_for_another_client_is_the_unknown_client_answer(bound, theirs):
    other, unknown = _create(bound, theirs.pk), _create(bound, UNKNOWN_ID)
    assert other.status_code == unknown.status_code == 422
    assert other.json() == unknown.json()
    assert other.json()["errors"] == {"clientid": ["Unknown client."]}


def test_creating_for_its_own_client_works(bound, ours):
    response = _create(bound, ours.pk)
    assert response.status_code == 201
    assert response.json()["data"]["client"]["id"] == ours.pk


def test_a_batch_item_for_another_client_is_an_unknown_client(bound, ours, theirs):
    items = [{"email": f"b{n}@example.com", "first_name": "B", "last_name": str(n), "clientid": client}
             for n, client in enumerate((ours.pk, theirs.pk, UNKNOWN_ID))]
    data = bound.post("/api/v1/contacts/batch", {"contacts": items}, format="json").json()["data"]
    assert data[0]["result"] == "created"
    assert data[1] == {"index": 1, "result": "error", "errors": {"clientid": ["Unknown client."]}}
    assert data[2]["errors"] == data[1]["errors"]


def test_clients_shows_only_the_keys_client(bound, ours, theirs):
    body = bound.get("/api/v1/clients").json()
    assert [row["id"] for row in body["data"]] == [ours.pk]
    assert body["meta"]["pagination"]["total"] == 1


def _contact_with_history(api, client) -> int:
    created = api.post("/api/v1/contacts", {"first_name": "A", "last_name": "B", "email": f"x{client.pk}@example.com",
                                            "clientid": client.pk}, format="json").json()["data"]
    api.patch(f"/api/v1/contacts/{created['id']}", {"phone": "+1 555 0100"}, format="json")
    return created["id"]


def test_the_feed_carries_only_the_keys_clients_events(bound, api, ours, theirs):
    mine = _contact_with_history(api, ours)
    _contact_with_history(api, theirs)
    events = bound.get("/api/v1/events").json()["data"]
    assert [(event["contact_id"], event["type"]) for event in events] == [
        (mine, "contact.created"), (mine, "contact.updated"),
    ]
    assert bound.get(f"/api/v1/events?client_id={theirs.pk}").json()["data"] == []


def test_history_of_the_keys_own_contact(bound, api, ours):
    mine = _contact_with_history(api, ours)
    assert len(bound.get(f"/api/v1/contacts/{mine}/history").json()["data"]) == 2


def test_a_webhook_endpoint_made_by_a_bound_key_belongs_to_its_client(bound, ours, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    response = bound.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}, format="json")
    assert response.status_code == 201
    assert WebhookEndpoint.objects.get(pk=response.json()["data"]["id"]).client_id == ours.pk


def test_a_bound_key_lists_only_its_clients_webhook_endpoints(bound, ours, theirs):
    mine = WebhookEndpoint.objects.create(url="https://a.example.com/", event_types=["*"], client=ours)
    WebhookEndpoint.objects.create(url="https://b.example.com/", event_types=["*"], client=theirs)
    WebhookEndpoint.objects.create(url="https://c.example.com/", event_types=["*"])
    assert [row["id"] for row in bound.get("/api/v1/webhooks").json()["data"]] == [mine.pk]


def test_an_unbound_key_still_sees_every_client(api, ours, theirs):
    ContactFactory(client=ours)
    ContactFactory(client=theirs)
    assert api.get("/api/v1/contacts").json()["meta"]["pagination"]["total"] == 2
    assert api.get("/api/v1/clients").json()["meta"]["pagination"]["total"] == 2
