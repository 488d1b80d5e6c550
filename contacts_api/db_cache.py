"""Django's database cache with an atomic window counter (the cache without Redis).

Django's `incr` is a read, then a write: two workers counting at once can both read 5 and
both write 6, and a rate limit loses a hit. `counter_hit` runs `add` and `incr` in one
transaction that no other hit of the same counter can enter: on SQLite, transactions
begin IMMEDIATE and so hold the write lock (settings.py); on PostgreSQL, the transaction
takes an advisory lock on the key first.
"""

import zlib

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction

from .cache import add_then_incr

ADVISORY_LOCK = "SELECT pg_advisory_xact_lock(%s)"


class DatabaseCache(DjangoDatabaseCache):
    def counter_hit(self, key: str, timeout: int) -> int:
        """Add one to the counter `key`, made with this lifetime on its first hit; its new
        value. Atomic."""
        db = router.db_for_write(self.cache_model_class)
        with transaction.atomic(using=db):
            connection = connections[db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(ADVISORY_LOCK, [zlib.crc32(key.encode())])
            return add_then_incr(self, key, timeout)
