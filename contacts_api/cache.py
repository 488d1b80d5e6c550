"""The shared cache, read so that an outage of it never fails a request.

Rate limits are a safeguard: when Redis is unreachable they pause, and the request goes
on against the database. The database cache raises the database's own errors, which are
the 503 path, not this one.
"""

import redis
from django.core.cache import cache

CACHE_DOWN: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, redis.RedisError)


def cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except CACHE_DOWN:
        return default


def counter_hit(key: str, timeout: int) -> int:
    """Add one to a counter that lives `timeout` seconds from its first hit; its new value.

    Atomic on both of the project's caches (one round trip on Redis, one locked
    transaction on the database: redis_cache.py, db_cache.py); `add` then `incr` on any
    other (a race can lose a hit). Raises CACHE_DOWN errors: the caller decides.
    """
    if hasattr(cache, "counter_hit"):
        return cache.counter_hit(key, timeout)
    return add_then_incr(cache, key, timeout)


def add_then_incr(backend, key: str, timeout: int) -> int:
    """counter_hit with any cache's `add` and `incr`: atomic only where the caller makes it."""
    backend.add(key, 0, timeout)
    try:
        return backend.incr(key)
    except ValueError:  # the counter expired between add and incr
        backend.set(key, 1, timeout)
        return 1

