"""A dependency found out of reach is not asked again for a while (a circuit breaker):
only the first request that meets an outage waits for it; after the back-off, the next
one tries again. Per process."""

import logging
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class Backoff:
    def __init__(self, what: str, seconds_setting: str):
        self.what = what
        self.seconds_setting = seconds_setting  # the setting that says how long
        self.until = 0.0  # monotonic time until which the dependency is not asked

    def open(self) -> bool:
        return time.monotonic() < self.until

    def trip(self, reason) -> None:
        seconds = getattr(settings, self.seconds_setting)
        self.until = time.monotonic() + seconds
        logger.warning("%s unavailable (%s): not asked for %ss", self.what, reason, seconds)

    def reset(self) -> None:
        self.until = 0.0
