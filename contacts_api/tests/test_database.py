"""The database layer's own pieces: the PostgreSQL backend's timestamps."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.postgresql.base import TIMESTAMPTZ_OID, timestamptz_loader
from contacts_api.testing import requires_postgres

pytestmark = pytest.mark.django_db

TIMESTAMPS = [
    "2024-08-06 14:20:43.591513+00",
    "2024-08-06 14:20:43+00",
    "2024-08-06 14:20:43.5+02:30",
    "1969-12-31 23:59:59.999999+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


@requires_postgres
def test_timestamps_are_read_by_the_fast_loader_on_every_cursor():
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert not issubclass(loader, BaseTzLoader)
    assert loader.timezone == connection.timezone


@requires_postgres
@pytest.mark.parametrize("text", TIMESTAMPS)
def test_the_fast_loader_reads_what_djangos_loader_reads(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [text])
        fast = cursor.fetchone()[0]
        djangos = type("DjangosLoader", (BaseTzLoader,), {"timezone": connection.timezone})
        cursor.cursor.adapters.register_loader(TIMESTAMPTZ_OID, djangos)
        cursor.execute("SELECT %s::timestamptz", [text])
        reference = cursor.fetchone()[0]
    assert fast == reference
    assert fast.tzinfo is reference.tzinfo is datetime.UTC


@requires_postgres
def test_a_naive_connection_reads_naive_datetimes():
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader(TIMESTAMPTZ_OID, timestamptz_loader(None))
        cursor.execute("SELECT '2024-08-06 14:20:43+00'::timestamptz")
        assert cursor.fetchone()[0] == datetime.datetime(2024, 8, 6, 14, 20, 43)


def test_a_saved_timestamp_reads_back_unchanged():
    contact = ContactFactory()
    stored = Contact.objects.values_list("created_at", flat=True).get(pk=contact.pk)
    assert stored == contact.created_at
    assert stored.utcoffset() == datetime.timedelta(0)
