"""Writing the event log, in the caller's transaction (API.md 7.1).

The contacts services call `record_contact_events` with each change's contact object
before and after it; an import's thousand rows a batch go in one statement (COPY on
PostgreSQL), like the rows themselves.
"""

from datetime import timedelta

import orjson
from django.conf import settings
from django.db import connection
from django.utils import timezone

from contacts_api.request_id import current_request_id

from .actors import Actor
from .models import Event, FeedHorizon

# Fields of the contact object that `changes` never lists (API.md 7.1).
NOT_CHANGES = ("version", "dates")


def changes_between(before: dict | None, after: dict) -> dict:
    """{field: {"from", "to"}} for each field of the object that differs; every field from
    null when there was no object before."""
    if before is None:
        return {name: {"from": None, "to": value} for name, value in after.items() if name not in NOT_CHANGES}
    return {
        name: {"from": before.get(name), "to": value}
        for name, value in after.items()
        if name not in NOT_CHANGES and before.get(name) != value
    }


def record_contact_events(entries: list[tuple[str, dict | None, dict]], *, actor: Actor) -> None:
    """Record (type, object before or None, object after) for each change; a change whose
    objects do not differ is not recorded (it changed nothing).

    A created event stores its `changes` (every field from null) although `data` holds
    the same values: built when read, it halved the feed's speed over an import's events
    (docs/PERFORMANCE.md, Events and webhooks)."""
    request_id = _request_id()
    rows = []
    for event_type, before, after in entries:
        changes = changes_between(before, after)
        if not changes and event_type == Event.Type.UPDATED:
            continue
        client = after.get("client")
        rows.append((event_type, after["id"], client["id"] if client else None, changes, after))
    if not rows:
        return
    _insert(rows, actor, request_id)


def _insert(rows, actor: Actor, request_id: str | None) -> None:
    """One statement for all the rows, as contacts_bulk_insert writes contacts: COPY on
    PostgreSQL (txid and occurred_at left to their column defaults, this transaction's),
    one executemany elsewhere. Not bulk_create: with database defaults it costs a third of
    a millisecond a row on SQLite (docs/PERFORMANCE.md, Events and webhooks)."""
    actor_json = orjson.dumps(actor.as_dict()).decode()
    table = connection.ops.quote_name(Event._meta.db_table)
    values = [
        (event_type, contact_id, client_id, actor_json, request_id, orjson.dumps(changes).decode(),
         orjson.dumps(data).decode())
        for event_type, contact_id, client_id, changes, data in rows
    ]
    columns = "type, contact_id, client_id, actor, request_id, changes, data"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.executemany(
                f"INSERT INTO {table} ({columns}, occurred_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [(*value, now) for value in values],
            )


def erase_contact_events(*, contact_id: int, client_id: int | None, actor: Actor) -> set[str]:
    """Redact every event of the contact to id, type, occurred_at, contact_id, client_id
    and actor, and record its contact.erased event (API.md 8.2), in the caller's
    transaction. Returns every email the events showed, for the caller to forget
    elsewhere."""
    events = Event.objects.filter(contact_id=contact_id)
    emails = set(events.filter(data__isnull=False).values_list("data__email", flat=True))
    events.update(changes=None, data=None, request_id=None)
    Event.objects.create(
        type=Event.Type.ERASED, contact_id=contact_id, client_id=client_id, actor=actor.as_dict(),
        request_id=_request_id(), changes=None, data=None,
    )
    return emails


def _request_id() -> str | None:
    """The X-Request-ID of the request making the change; None outside a request."""
    request_id = current_request_id()
    return None if request_id == "-" else request_id


def retention() -> timedelta | None:
    days = settings.EVENTS_RETENTION_DAYS
    return timedelta(days=days) if days > 0 else None


def purge_events() -> int:
    """Delete the events older than EVENTS_RETENTION_DAYS and move the feed's horizon past
    them; how many went."""
    keep = retention()
    if keep is None:
        return 0
    old = Event.objects.filter(occurred_at__lt=timezone.now() - keep)
    last = old.order_by("-txid", "-id").values("txid", "id").first()
    if last is None:
        return 0
    horizon, _ = FeedHorizon.objects.get_or_create(pk=1)
    if (last["txid"] or 0, last["id"]) > (horizon.txid, horizon.event_id):
        horizon.txid, horizon.event_id = last["txid"] or 0, last["id"]
        horizon.save()
    deleted, _ = old.delete()
    return deleted
