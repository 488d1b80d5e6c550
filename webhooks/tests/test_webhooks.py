"""Webhook endpoints and their delivery to a real receiver (API.md 7.4)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from contacts.tests.factories import ContactFactory
from contacts_api.testing import api_client_for, envelope_error, run_command
from events.models import Event
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import deliver_due, endpoint_rotate_secret

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks"


def register(api, receiver, types=("*",)):
    response = api.post(URL, {"url": receiver.url, "event_types": list(types)}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def rename(api, contact, name):
    assert api.patch(f"/api/v1/contacts/{contact.pk}", {"first_name": name}, format="json").status_code == 200


def due_now():
    WebhookEndpoint.objects.update(next_attempt_at=timezone.now())


def test_a_new_endpoint_gets_the_changes_after_it_signed_by_standard_webhooks(api, receiver):
    contact = ContactFactory()
    rename(api, contact, "Before")
    endpoint = register(api, receiver)
    assert endpoint["secret"].startswith("whsec_")
    rename(api, contact, "After")
    assert deliver_due() == 1
    [request] = receiver.requests
    payload = Webhook(endpoint["secret"]).verify(request["body"], request["headers"])
    assert payload["type"] == "contact.updated" and payload["data"]["first_name"] == "After"
    assert request["headers"]["webhook-id"] == payload["id"] == Event.objects.last().public_id


def test_events_are_delivered_one_at_a_time_in_feed_order(api, receiver):
    register(api, receiver)
    contact = ContactFactory()
    for name in ("One", "Two", "Three"):
        rename(api, contact, name)
    deliver_due()
    assert [e["data"]["first_name"] for e in receiver.events()] == ["One", "Two", "Three"]


def test_a_failure_is_retried_later_and_the_order_holds(api, receiver):
    register(api, receiver)
    contact = ContactFactory()
    rename(api, contact, "One")
    rename(api, contact, "Two")
    receiver.statuses = [500]
    assert deliver_due() == 0
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.attempt == 1
    assert timedelta(seconds=3) < endpoint.next_attempt_at - timezone.now() < timedelta(seconds=7)
    assert deliver_due() == 0  # not due yet
    due_now()
    assert deliver_due() == 2
    assert [e["data"]["first_name"] for e in receiver.events()] == ["One", "One", "Two"]
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 2


def test_after_three_days_of_failures_the_endpoint_is_disabled_and_enabling_resumes(api, receiver):
    data = register(api, receiver)
    rename(api, ContactFactory(), "One")
    receiver.statuses = [503]
    WebhookEndpoint.objects.update(failing_since=timezone.now() - timedelta(days=3, minutes=1), attempt=9)
    deliver_due()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.enabled is False and "HTTP 503" in endpoint.disabled_reason
    shown = api.get(f"{URL}/{data['id']}").json()["data"]
    assert (shown["enabled"], shown["disabled_reason"]) == (False, endpoint.disabled_reason)
    api.patch(f"{URL}/{data['id']}", {"enabled": True}, format="json")
    assert deliver_due() == 1
    assert receiver.events()[-1]["data"]["first_name"] == "One"


def test_a_redirect_is_a_failure_and_is_not_followed(api, receiver):
    register(api, receiver)
    rename(api, ContactFactory(), "One")
    receiver.redirect = True
    assert deliver_due() == 0
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().error == "HTTP 302"


def test_a_receiver_that_hangs_is_cut_off_at_the_timeout(api, receiver, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    register(api, receiver)
    rename(api, ContactFactory(), "One")
    receiver.delay = 1.5
    assert deliver_due() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None and delivery.duration_ms < 1400


def test_an_endpoint_gets_only_its_event_types(api, receiver):
    register(api, receiver, types=["contact.deleted"])
    contact = ContactFactory()
    rename(api, contact, "One")
    api.delete(f"/api/v1/contacts/{contact.pk}")
    deliver_due()
    assert [e["type"] for e in receiver.events()] == ["contact.deleted"]


def test_the_test_event_goes_to_that_endpoint_alone(api, receiver):
    first = register(api, receiver)
    register(api, receiver)
    response = api.post(f"{URL}/{first['id']}/test")
    assert response.status_code == 202
    deliver_due()
    assert [e["type"] for e in receiver.events()] == ["webhook.test"]
    Webhook(first["secret"]).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])


def test_deliveries_list_the_attempts_newest_first(api, receiver):
    data = register(api, receiver)
    rename(api, ContactFactory(), "One")
    receiver.statuses = [500]
    deliver_due()
    due_now()
    deliver_due()
    body = api.get(f"{URL}/{data['id']}/deliveries").json()
    assert [(d["attempt"], d["status_code"]) for d in body["data"]] == [(2, 200), (1, 500)]


def test_after_a_rotation_old_and_new_secrets_both_verify(api, receiver):
    data = register(api, receiver)
    endpoint = WebhookEndpoint.objects.get()
    new = endpoint_rotate_secret(endpoint=endpoint)
    rename(api, ContactFactory(), "One")
    deliver_due()
    request = receiver.requests[0]
    assert len(request["headers"]["webhook-signature"].split()) == 2
    for secret in (data["secret"], new):
        Webhook(secret).verify(request["body"], request["headers"])


def test_the_worker_command_delivers_once(api, receiver):
    register(api, receiver)
    rename(api, ContactFactory(), "One")
    code, out, _ = run_command("deliver_webhooks", "--once")
    assert (code, out.strip()) == (0, "delivered: 1")


@pytest.mark.parametrize(
    "url, message",
    [("http://example.com/hook", "https"), ("ftp://example.com/x", "https"), ("https://127.0.0.1/x", "private"),
     ("https://localhost/x", "private"), ("https://10.1.2.3/x", "private"), ("https://169.254.169.254/x", "private"),
     ("https://[::1]/x", "private"), ("https://no-such-host.invalid/x", "resolved"), ("not a url", "https")],
)
def test_an_unsafe_url_is_a_422_on_url(api, url, message):
    response = api.post(URL, {"url": url, "event_types": ["*"]}, format="json")
    assert envelope_error(response) == (422, "validation_failed")
    assert message in response.json()["errors"]["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_a_private_address_is_refused_again_at_delivery(api, receiver, settings):
    register(api, receiver)
    rename(api, ContactFactory(), "One")
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    assert deliver_due() == 0
    assert receiver.requests == []
    assert "https" in WebhookDelivery.objects.get().error


def test_an_unknown_event_type_is_a_422_on_event_types(api, receiver):
    response = api.post(URL, {"url": receiver.url, "event_types": ["contact.renamed"]}, format="json")
    assert list(response.json()["errors"]) == ["event_types"]


def test_a_read_key_cannot_add_endpoints(read_api, receiver):
    assert read_api.post(URL, {"url": receiver.url, "event_types": ["*"]}, format="json").status_code == 403


def test_delete_is_a_200_with_null_data(api, receiver):
    data = register(api, receiver)
    response = api.delete(f"{URL}/{data['id']}")
    assert (response.status_code, response.json()["data"]) == (200, None)
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_of_a_bound_key_gets_only_its_clients_events(api, make_api_key, receiver):
    ours, theirs = ContactFactory(), ContactFactory()
    bound = api_client_for(make_api_key(client=ours.client)[1])
    register(bound, receiver)
    rename(api, theirs, "Theirs")
    rename(api, ours, "Ours")
    deliver_due()
    assert [(e["contact_id"], e["data"]["first_name"]) for e in receiver.events()] == [(ours.pk, "Ours")]


def test_an_erasure_is_delivered_and_events_not_yet_sent_go_out_redacted(api, receiver):
    contact = ContactFactory()
    register(api, receiver)
    rename(api, contact, "Soon gone")
    assert api.post(f"/api/v1/contacts/{contact.pk}/erase").status_code == 200
    deliver_due()
    updated, erased = receiver.events()
    assert (updated["type"], erased["type"]) == ("contact.updated", "contact.erased")
    assert erased["contact_id"] == contact.pk
    for event in (updated, erased):
        assert "data" not in event and "changes" not in event
    assert "Soon gone" not in receiver.requests[0]["body"]
