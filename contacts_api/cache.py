"""The shared cache, read and written so that an outage of it never fails a request.

Rate limits, cached counts and data versions are optimisations or safeguards: when Redis
is unreachable they pause, and the request goes on against the database. The database
cache raises the database's own errors, which are the 503 path, not this one.
"""

import contextlib

import redis
from django.core.cache import cache

CACHE_DOWN: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, redis.RedisError)


def cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except CACHE_DOWN:
        return default


def cache_set(key: str, value, timeout) -> None:
    with contextlib.suppress(*CACHE_DOWN):
        cache.set(key, value, timeout)


def cache_set_many(values: dict, timeout) -> None:
    with contextlib.suppress(*CACHE_DOWN):
        cache.set_many(values, timeout)
