"""Webhook endpoints and their deliveries (API.md 7.4).

`deliver_due` is the worker's one step: lease an endpoint that is due, send it the events
after its position in the feed, one at a time and in order, and move its position only
past an event its receiver answered with a 2xx. A failure schedules the same event again
with exponential back-off and jitter; after WEBHOOKS_DISABLE_AFTER of failures the endpoint
is disabled, and enabling it resumes where it stopped.
"""

import random
import threading
import uuid
from datetime import timedelta

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from events.feed import head_position, read_feed
from events.representation import event_representation

from .http import post
from .models import WebhookDelivery, WebhookEndpoint, new_secret

RETRY_AFTER_SECONDS = (5, 30, 120, 600, 3600)
RETRY_EVERY_SECONDS = 6 * 3600
LEASE = timedelta(seconds=60)
EVENTS_PER_TURN = 100
ALL_TYPES = "*"
TEST_EVENT_TYPE = "webhook.test"
# Set by the worker on SIGTERM: an endpoint's turn ends after the delivery in flight.
stopping = threading.Event()


def endpoint_create(
    *, url: str, description: str = "", event_types: list[str], client_id: int | None = None, created_by_key=None
) -> WebhookEndpoint:
    """A new endpoint receives the events committed after it, none from before; with
    `client_id`, only that client's (a bound key's endpoint, API.md 8.1)."""
    txid, event_id = head_position()
    return WebhookEndpoint.objects.create(
        url=url, description=description, event_types=event_types, client_id=client_id,
        created_by_key=created_by_key, cursor_txid=txid, cursor_event_id=event_id,
    )


def endpoint_update(*, endpoint: WebhookEndpoint, data: dict) -> WebhookEndpoint:
    for name, value in data.items():
        setattr(endpoint, name, value)
    if data.get("enabled") is True:
        # Enabled again: resume at the event it stopped on, now.
        endpoint.disabled_reason, endpoint.attempt, endpoint.failing_since = "", 0, None
        endpoint.next_attempt_at = timezone.now()
    endpoint.updated_at = timezone.now()
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret; the old one signs alongside it for WEBHOOKS_OLD_SECRET_HOURS."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=settings.WEBHOOKS_OLD_SECRET_HOURS)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint.secret


def endpoint_request_test(*, endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(test_requested_at=timezone.now(), next_attempt_at=timezone.now())


def signature_headers(endpoint: WebhookEndpoint, message_id: str, body: str, now) -> dict:
    """The Standard Webhooks headers; during a rotation both secrets sign."""
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        secrets.append(endpoint.previous_secret)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(message_id, now, body) for secret in secrets),
    }


def retry_delay(attempt: int) -> timedelta:
    base = RETRY_AFTER_SECONDS[attempt - 1] if attempt <= len(RETRY_AFTER_SECONDS) else RETRY_EVERY_SECONDS
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def _send(endpoint: WebhookEndpoint, message_id: str, event_type: str, payload: dict, attempt: int):
    now = timezone.now()
    body = orjson.dumps(payload).decode()
    answer = post(endpoint.url, body.encode(), signature_headers(endpoint, message_id, body, now))
    WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=message_id, event_type=event_type, attempt=attempt,
        status_code=answer.status, error=answer.error, duration_ms=answer.duration_ms,
    )
    return answer


def lease_due(now, *, limit: int, exclude: set[int] = frozenset()) -> list[WebhookEndpoint]:
    """Up to `limit` due endpoints that no worker serves, leased to this one.

    SKIP LOCKED lets several workers pick at once without waiting for each other; the
    lease, not the row lock, then marks the endpoint as served (a transaction held open
    through an HTTP call would hold the feed back for everyone).
    """
    with transaction.atomic():
        due = (
            WebhookEndpoint.objects.select_for_update(skip_locked=True)
            .filter(enabled=True, next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .exclude(pk__in=exclude)
            .order_by("next_attempt_at")
        )
        endpoints = list(due[:limit])
        WebhookEndpoint.objects.filter(pk__in=[e.pk for e in endpoints]).update(leased_until=now + LEASE)
    return endpoints


def serve(endpoint: WebhookEndpoint) -> int:
    """Send what is due to one leased endpoint; how many events it accepted."""
    if endpoint.test_requested_at is not None:
        message_id = f"msg_test_{uuid.uuid4().hex[:24]}"
        payload = {"id": message_id, "type": TEST_EVENT_TYPE, "occurred_at": timezone.now().isoformat(), "data": {}}
        _send(endpoint, message_id, TEST_EVENT_TYPE, payload, attempt=1)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(test_requested_at=None)
    types = None if ALL_TYPES in endpoint.event_types else endpoint.event_types
    position = (endpoint.cursor_txid, endpoint.cursor_event_id)
    delivered = 0
    while delivered < EVENTS_PER_TURN and not stopping.is_set():
        events, _, _ = read_feed(
            after=position, limit=min(50, EVENTS_PER_TURN - delivered), types=types, client_id=endpoint.client_id
        )
        if not events:
            break
        for event in events:
            if stopping.is_set():
                break
            answer = _send(endpoint, event.public_id, event.type, event_representation(event), endpoint.attempt + 1)
            now = timezone.now()
            if not answer.ok:
                _failed(endpoint, answer, now)
                return delivered
            position = (event.txid or 0, event.pk)
            delivered += 1
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                cursor_txid=position[0], cursor_event_id=position[1], attempt=0, failing_since=None,
                leased_until=now + LEASE,
            )
            endpoint.attempt, endpoint.failing_since = 0, None
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(leased_until=None, next_attempt_at=timezone.now())
    return delivered


def _failed(endpoint: WebhookEndpoint, answer, now) -> None:
    failing_since = endpoint.failing_since or now
    attempt = endpoint.attempt + 1
    changes = {"attempt": attempt, "failing_since": failing_since, "leased_until": None,
               "next_attempt_at": now + retry_delay(attempt)}
    if now - failing_since >= settings.WEBHOOKS_DISABLE_AFTER:
        changes.update(enabled=False, disabled_reason=(
            f"Disabled after failing since {failing_since:%Y-%m-%d %H:%M} UTC; last: {answer.error}"
        )[:200])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)


def deliver_due() -> int:
    """Serve every endpoint that is due now once, one after the other (`--once`, tests);
    events accepted. The worker serves several at once (deliver_webhooks)."""
    delivered, served = 0, set()
    while endpoints := lease_due(timezone.now(), limit=1, exclude=served):
        served.add(endpoints[0].pk)
        delivered += serve(endpoints[0])
    return delivered


