"""Django's PostgreSQL backend, with `timestamptz` values decoded in C.

Django registers a pure-Python timestamp loader on every connection (so that values come
back in `connection.timezone`), which costs about 3 µs a value: a 100-row contact page
has 200 timestamps. This loader gives the same values, in the same time zone, through
psycopg's C loader. Selected by settings.py for every PostgreSQL DATABASE_URL.
"""

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg import adapters
from psycopg.adapt import Loader
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid
# psycopg's own loader: the C one when psycopg[binary] is installed (it cannot be
# subclassed, hence the wrapper below), the Python one otherwise.
DEFAULT_TIMESTAMPTZ_LOADER = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


def timestamptz_loader(timezone) -> type[Loader]:
    """A loader whose values carry `timezone`, as Django's `BaseTzLoader` does.

    `timezone` is a class attribute because Django compares it with the connection's
    before each cursor, and installs its own loader when they differ.
    """

    class TimestamptzLoader(Loader):
        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._load = DEFAULT_TIMESTAMPTZ_LOADER(oid, context).load

        def load(self, data):
            return self._load(data).replace(tzinfo=timezone)

    TimestamptzLoader.timezone = timezone
    return TimestamptzLoader


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader(TIMESTAMPTZ_OID, timestamptz_loader(self.timezone))
        return connection
