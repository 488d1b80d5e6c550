"""Reading the log in feed order, with the guarantee of API.md 7.2.

On PostgreSQL an event's position is (the writing transaction's id, the event id), and
the feed serves only events of transactions older than the oldest one still running
(`pg_snapshot_xmin`): all of those have ended, so nothing can ever be committed before a
position already served. An `id > cursor` (or `updated_at`) cursor is not enough: ids
are taken when a row is written, not when its transaction commits, so a transaction that
took id 10 and commits after the one that took 11 would be skipped by a consumer that had
read 11. On SQLite, writers run one at a time: the event id alone is the commit order.
"""

import base64
import binascii

from django.db import connection, models
from django.db.models.functions import Cast

from .models import Event, FeedHorizon

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


class MalformedCursor(ValueError):
    pass


class CursorExpired(Exception):
    pass


class SnapshotXmin(models.Func):
    """The oldest transaction still running, as seen by this statement."""

    template = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
    output_field = models.BigIntegerField()


class OwnTransactionId(models.Func):
    """This transaction's id if it has written, else NULL: a transaction sees its own
    events (a test's, say) although they are newer than the oldest one running."""

    template = "pg_current_xact_id_if_assigned()::text::bigint"
    output_field = models.BigIntegerField()


def _row(*expressions) -> models.Func:
    # ROW(a, b) > ROW(c, d): the index on (txid, id) serves the comparison.
    return models.Func(*expressions, function="ROW", output_field=models.BigIntegerField())


def encode_cursor(position: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(f"{position[0]}.{position[1]}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        txid, _, event_id = text.partition(".")
        position = (int(txid), int(event_id))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise MalformedCursor(cursor) from error
    if not all(0 <= part < 2**63 for part in position) or text != f"{position[0]}.{position[1]}":
        raise MalformedCursor(cursor)
    return position


FEED_ROW_FIELDS = ("id", "txid", "type", "contact_id", "client_id", "request_id")


class TimestampText(models.Func):
    """A timestamp as contacts_api.api.serializers.format_datetime writes it (UTC, `Z`,
    the microseconds unless they are zero), written by PostgreSQL: psycopg's timestamptz
    loader takes 6 µs a value, a third of the time a feed page's rows take to arrive
    (docs/PERFORMANCE.md, Events and webhooks)."""

    template = "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
    output_field = models.TextField()


def position_of(event: Event | dict) -> tuple[int, int]:
    if isinstance(event, dict):
        return (event["txid"] or 0, event["id"])
    return (event.txid or 0, event.pk)


def _served(events):
    """On PostgreSQL, the events of transactions older than the oldest one running (and
    this transaction's own): those that nothing can come before any more."""
    return events.filter(models.Q(txid__lt=SnapshotXmin()) | models.Q(txid=OwnTransactionId()))


def head_position() -> tuple[int, int]:
    """The position of the newest event the feed serves now (a new reader's start)."""
    events = Event.objects.all()
    if connection.vendor == "postgresql":
        last = _served(events).order_by("-txid", "-id").first()
    else:
        last = events.order_by("-id").first()
    return position_of(last) if last else (0, 0)


def read_feed(
    *, after: tuple[int, int] | None, limit: int, types=None, contact_id=None, client_id=None,
    as_json_text: bool = False, events=None,
) -> tuple[list[Event], tuple[int, int], bool]:
    """(events, the position after the last one, whether more are ready), from `events`
    (default: the whole log; a bound key's or a client's endpoint's share of it). With
    `as_json_text`, the events are rows of values whose `actor`, `changes` and `data` are
    JSON text (actor_text, changes_text, data_text), and on PostgreSQL `occurred_at` too
    (occurred_at_text), for an answer that writes them as they are: half the time of
    model instances decoding the JSON of 1,000 events."""
    start = after or (0, 0)
    if after is not None:
        horizon = FeedHorizon.objects.filter(pk=1).first()
        if horizon is not None and start < (horizon.txid, horizon.event_id):
            raise CursorExpired()
    events = Event.objects.all() if events is None else events
    if types:
        events = events.filter(type__in=types)
    if contact_id is not None:
        events = events.filter(contact_id=contact_id)
    if client_id is not None:
        events = events.filter(client_id=client_id)
    if connection.vendor == "postgresql":
        events = (
            _served(events)
            .alias(position=_row(models.F("txid"), models.F("id")))
            .filter(position__gt=_row(models.Value(start[0]), models.Value(start[1])))
            .order_by("txid", "id")
        )
    else:
        events = events.filter(id__gt=start[1]).order_by("id")
    if as_json_text:
        fields = FEED_ROW_FIELDS
        texts = {f"{name}_text": Cast(name, models.TextField()) for name in ("actor", "changes", "data")}
        if connection.vendor == "postgresql":
            texts["occurred_at_text"] = TimestampText("occurred_at")
        else:
            fields += ("occurred_at",)
        events = events.values(*fields, **texts)
    rows = list(events[: limit + 1])
    page = rows[:limit]
    return page, (position_of(page[-1]) if page else start), len(rows) > limit
