"""Rate limits counted in the shared Django cache (Redis, or the database table)."""

import logging
import math
import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from contacts_api.cache import CACHE_DOWN, cache_get, counter_hit

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'1000/min' -> (1000, 60). The period is read from its first letter."""
    number, _, period = rate.partition("/")
    return int(number), PERIODS[period.strip()[0].lower()]


class FixedWindow:
    """A counter per bucket and time window.

    Fixed windows cost one cache round trip per request (contacts_api.cache.counter_hit),
    unlike DRF's timestamp lists that grow with the limit.
    """

    def __init__(self, bucket: str, rate: str):
        self.bucket = bucket
        self.limit, self.period = parse_rate(rate)

    def _key(self, now: float) -> str:
        return f"rl:{self.bucket}:{int(now // self.period)}"

    def wait(self, now: float) -> int:
        """Whole seconds until the current window ends (at least 1)."""
        return max(1, math.ceil(self.period - now % self.period))

    def hit(self) -> int | None:
        """Count one request; return the seconds to wait if it is over the limit."""
        now = time.time()
        key = self._key(now)
        try:
            count = counter_hit(key, self.period + 1)
        except CACHE_DOWN as error:
            return self._fail_open(error)
        return self.wait(now) if count > self.limit else None

    def exhausted(self) -> int | None:
        """Without counting: the seconds to wait if the limit is already reached."""
        now = time.time()
        count = cache_get(self._key(now), 0)
        return self.wait(now) if count >= self.limit else None

    def _fail_open(self, error) -> None:
        # A cache outage must not take the API down with it: limits pause, requests pass.
        logger.warning("Rate-limit cache unavailable, not limiting %s: %s", self.bucket, error)
        return None


def auth_failure_window(address: str) -> FixedWindow:
    return FixedWindow(f"authfail:{address}", settings.API_AUTH_FAILURE_LIMIT)


class APIKeyRateThrottle(BaseThrottle):
    """Per API key, `API_RATE_LIMIT` requests per period (default 1000/min)."""

    def allow_request(self, request, view):
        key = request.auth
        if key is None:
            return True
        self.wait_seconds = FixedWindow(f"key:{key.pk}", settings.API_RATE_LIMIT).hit()
        return self.wait_seconds is None

    def wait(self):
        return self.wait_seconds
