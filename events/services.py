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
# COPY for an import batch; one INSERT for anything up to a batch endpoint call (100 items).
COPY_FROM_ROWS = 101


def changes_between(before: dict | None, after: dict) -> dict:
    """{field: {"from", "to"}} for each field of the object that differs; every field from
    null when there was no object before."""
    return {
        name: {"from": None if before is None else before.get(name), "to": value}
        for name, value in after.items()
        if name not in NOT_CHANGES and (before is None or before.get(name) != value)
    }


def record_contact_events(entries: list[tuple[str, dict | None, dict]], *, actor: Actor) -> None:
    """Record (type, object before or None, object after) for each change; a change whose
    objects do not differ is not recorded (it changed nothing)."""
    request_id = current_request_id()
    request_id = None if request_id == "-" else request_id
    rows = []
    for event_type, before, after in entries:
        changes = changes_between(before, after)
        if not changes and event_type == Event.Type.UPDATED:
            continue
        client = after.get("client")
        rows.append((event_type, after["id"], client["id"] if client else None, changes, after))
    if not rows:
        return
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        _copy(rows, actor, request_id)
        return
    Event.objects.bulk_create(
        Event(type=t, contact_id=c, client_id=cl, actor=actor.as_dict(), request_id=request_id, changes=ch, data=d)
        for t, c, cl, ch, d in rows
    )


def _copy(rows, actor: Actor, request_id: str | None) -> None:
    # txid and occurred_at are left to their column defaults: this transaction's.
    actor_json = orjson.dumps(actor.as_dict()).decode()
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(
        f"COPY {table} (type, contact_id, client_id, actor, request_id, changes, data) FROM STDIN"
    ) as copy:
        for event_type, contact_id, client_id, changes, data in rows:
            copy.write_row(
                (event_type, contact_id, client_id, actor_json, request_id,
                 orjson.dumps(changes).decode(), orjson.dumps(data).decode())
            )


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
