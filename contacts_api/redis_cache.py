"""Django's Redis cache with one client per process and a one-round-trip window counter.

Django's client builds a new `redis.Redis` object (and its table of reply callbacks) for
every call, which costs more than the round trip on a fast path; the client is
thread-safe and its pool survives a fork, so one per pool is enough. Django's `incr` is
also two round trips (EXISTS, then INCR) and, after `add`, three for a rate limit.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client

    def counter_hit(self, key, timeout: int) -> int:
        pipeline = self.get_client(key, write=True).pipeline(transaction=True)
        pipeline.set(key, 0, ex=timeout, nx=True)
        pipeline.incr(key)
        return pipeline.execute()[-1]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def counter_hit(self, key: str, timeout: int) -> int:
        """Add one to the counter `key`, made with this lifetime on its first hit; its new
        value. Atomic, in one round trip."""
        return self._cache.counter_hit(self.make_and_validate_key(key), timeout)
