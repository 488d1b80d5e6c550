"""Rate limits: DRF's SimpleRateThrottle, counted in fixed windows in the shared cache.

DRF keeps a list of timestamps per key and writes it back whole on every request: 1,000
entries at the default 1000/min, and two workers that read the list at once lose a hit.
A window counter costs the cache's atomic `add` and `incr` instead (db_cache.py makes the
database cache's `incr` atomic). DRF's rate parsing, cache keys, client address and
`Retry-After` stay as they are.
"""

import logging
import math

import redis
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from contacts_api.backoff import Backoff

logger = logging.getLogger(__name__)

# A cache outage must not take the API down with it: limits pause, requests pass. The
# database cache raises the database's own errors, which are the 503 path, not this one.
CACHE_DOWN = (ConnectionError, TimeoutError, redis.RedisError)


# After a cache call fails (refused, or no answer within the short REDIS_TIMEOUT_SECONDS:
# a hung Redis), the limits do not ask the cache for CACHE_BACKOFF_SECONDS.
breaker = Backoff("Rate-limit cache", "CACHE_BACKOFF_SECONDS")


class FixedWindowThrottle(SimpleRateThrottle):
    """`rate_setting` names the Django setting that holds the rate, e.g. "1000/min"."""

    rate_setting = ""

    def get_rate(self):
        return getattr(settings, self.rate_setting)

    def _window_key(self) -> str:
        return f"{self.key}:{int(self.now // self.duration)}"

    def hit(self) -> bool:
        """Count one request in the current window; whether it is within the limit."""
        if breaker.open():
            return True
        key = self._window_key()
        try:
            self.cache.add(key, 0, self.duration + 1)
            try:
                count = self.cache.incr(key)
            except ValueError:  # the window's counter expired between add and incr
                self.cache.set(key, 1, self.duration + 1)
                count = 1
        except CACHE_DOWN as error:
            breaker.trip(error)
            return True
        return count <= self.num_requests

    def reached(self) -> bool:
        """Without counting: whether the current window's limit is already reached."""
        if breaker.open():
            return False
        try:
            return self.cache.get(self._window_key(), 0) >= self.num_requests
        except CACHE_DOWN as error:
            breaker.trip(error)
            return False

    def allow_request(self, request, view):
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        return self.hit()

    def wait(self):
        """Whole seconds until the current window ends (at least 1)."""
        return max(1, math.ceil(self.duration - self.now % self.duration))


class APIKeyRateThrottle(FixedWindowThrottle):
    """Per API key, `API_RATE_LIMIT` requests per period (default 1000/min)."""

    scope = "key"
    rate_setting = "API_RATE_LIMIT"

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AuthFailureThrottle(FixedWindowThrottle):
    """Failed authentications per client address, `API_AUTH_FAILURE_LIMIT` per period.

    Authentication runs before DRF's throttles, so the authentication class asks
    `reached()` first and counts each failure with `hit()`.
    """

    scope = "authfail"
    rate_setting = "API_AUTH_FAILURE_LIMIT"

    def __init__(self, request):
        super().__init__()
        self.key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        self.now = self.timer()
