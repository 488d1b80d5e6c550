"""Django's database cache with an atomic `incr` (the rate limits' store without Redis).

Django's `incr` is a read, then a write: two workers counting at once can both read 5 and
both write 6, and a rate limit loses a hit. Here it runs in a transaction that no other
`incr` of the same key can enter: on SQLite, transactions begin IMMEDIATE and so hold the
write lock (settings.py); on PostgreSQL, the transaction takes an advisory lock on the key
first. Redis's INCR is atomic already.
"""

import zlib

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction

ADVISORY_LOCK = "SELECT pg_advisory_xact_lock(%s)"


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        with transaction.atomic(using=db):
            connection = connections[db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(ADVISORY_LOCK, [zlib.crc32(self.make_key(key, version).encode())])
            return super().incr(key, delta, version)
