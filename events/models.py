from django.db import models
from django.db.models.functions import Now


class TransactionId(models.Func):
    """The writing transaction's id on PostgreSQL (`pg_current_xact_id()`, an xid8, as a
    bigint), the column default of Event.txid; NULL elsewhere (SQLite runs one writer at a
    time, so there the event id is already the commit order)."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra):
        return "(pg_current_xact_id()::text::bigint)", []


class TextJSONField(models.JSONField):
    """JSON kept as written (`json`, not `jsonb`, on PostgreSQL): the log is never queried
    inside its JSON, and the text type costs less to write with every change and nothing
    to send as it is (the feed); docs/PERFORMANCE.md, Events."""

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, (str, bytes, bytearray)):
            return value  # psycopg decodes `json` itself (Django leaves only jsonb to it)
        return super().from_db_value(value, expression, connection)


class Event(models.Model):
    """One change of one contact (API.md 7.1), written in the change's own transaction."""

    class Type(models.TextChoices):
        CREATED = "contact.created"
        UPDATED = "contact.updated"
        DELETED = "contact.deleted"
        RESTORED = "contact.restored"
        ERASED = "contact.erased"

    txid = models.BigIntegerField(null=True, db_default=TransactionId(), editable=False)
    type = models.CharField(max_length=32, choices=Type.choices)
    occurred_at = models.DateTimeField(db_default=Now())
    # Plain ids, not foreign keys: an event outlives its contact's row (erasure, 8.2).
    contact_id = models.BigIntegerField()
    client_id = models.BigIntegerField(null=True)
    actor = TextJSONField()
    request_id = models.CharField(max_length=128, null=True)
    # Both NULL once the contact is erased (API.md 8.2), and on the contact.erased event.
    changes = TextJSONField(null=True)
    data = TextJSONField(null=True)

    class Meta:
        indexes = [
            # The feed's order on PostgreSQL (txid, id); on SQLite the primary key.
            models.Index(fields=["txid", "id"], name="event_feed_idx"),
            models.Index(fields=["contact_id", "id"], name="event_contact_idx"),
            # The feed of one client (a bound key's, a client's webhook endpoint).
            models.Index(fields=["client_id", "txid", "id"], name="event_client_feed_idx"),
            models.Index(fields=["occurred_at"], name="event_occurred_idx"),
        ]

    def __str__(self):
        return f"{self.public_id} {self.type}"

    @property
    def public_id(self) -> str:
        return public_id(self.pk)


class FeedHorizon(models.Model):
    """How far `purge` has removed the log: a cursor before this position is a 410."""

    txid = models.BigIntegerField(default=0)
    event_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"feed horizon ({self.txid}, {self.event_id})"


EVENT_ID_PREFIX = "evt_"


def public_id(pk: int) -> str:
    return f"{EVENT_ID_PREFIX}{pk:016d}"
