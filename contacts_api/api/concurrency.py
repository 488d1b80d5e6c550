"""How many list requests of one process run at once (API_CONCURRENT_LISTS).

A list or search is the API's heaviest request: a count and a page over up to a million
rows. Under a flood of them, every thread of a worker would be running one, and a write
would wait behind them for a thread and for the CPU (docs/PERFORMANCE.md has the
figures). Lists beyond the limit wait here, costing no CPU, and writes and single-contact
reads go past them. A list that waits longer than API_LIST_WAIT_SECONDS is a 503 with
Retry-After.
"""

import threading
from contextlib import contextmanager

from django.conf import settings

from contacts_api.db_deadline import watchdog

from .exceptions import ServiceUnavailable

_slots: dict[int, threading.BoundedSemaphore] = {}  # by limit: one, unless a test changes it
_made = threading.Lock()


def _semaphore() -> threading.BoundedSemaphore:
    limit = settings.API_CONCURRENT_LISTS
    with _made:
        return _slots.setdefault(limit, threading.BoundedSemaphore(limit))


@contextmanager
def list_slot():
    slots = _semaphore()
    with watchdog.paused():  # waiting for a turn is not the database's time
        acquired = slots.acquire(timeout=settings.API_LIST_WAIT_SECONDS)
    if not acquired:
        raise ServiceUnavailable()
    try:
        yield
    finally:
        slots.release()
