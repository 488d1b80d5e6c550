"""A deadline on each request's database work, and a short back-off once it fires
(PostgreSQL).

A PostgreSQL that hangs (frozen, or cut off by a partition that drops packets silently)
never answers, and nothing on the server side can fire: its `statement_timeout` runs in
the frozen process, and TCP keepalives are answered by the host's kernel. So the deadline
is kept here, on the client. A watchdog thread per process shuts down the socket of a
connection whose request has held it longer than DB_REQUEST_TIMEOUT_SECONDS: the query
waiting on it fails at once, and the request answers 503 (api/exceptions.py). For the
next DB_BACKOFF_SECONDS, API requests and /readyz answer 503 without trying, so that
threads are not held by requests that cannot succeed (/healthz keeps answering); then the
next request tries again, and the service recovers without a restart. New connections are
bounded by libpq's connect_timeout (DB_CONNECT_TIMEOUT).

Once its connection was cut (or a connection could not be made), the rest of the request
fails fast instead of trying again: Django reconnects on the next query, and swallows
some errors on the way (its database cache's `add`), so each later step would wait for a
connection of its own. Until the request ends, its connection's HOST names a socket that
does not exist (`_refuse_connections`).

A write whose COMMIT was sent when the deadline fired may have committed: its answer is
a 503 all the same. Clients retry such writes with an Idempotency-Key (API.md 6.2).
"""

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

from .backoff import Backoff

logger = logging.getLogger(__name__)
TICK_SECONDS = 0.1
# A Unix socket directory that does not exist: libpq fails at once.
NOWHERE = "/nonexistent/contacts-api-database-out-of-reach"


def _refuse_connections(wrapper) -> None:
    """Until _accept_connections: every new connection of this wrapper fails at once."""
    if not hasattr(wrapper, "settings_before_outage"):
        wrapper.settings_before_outage = wrapper.settings_dict
        wrapper.settings_dict = {**wrapper.settings_dict, "HOST": NOWHERE}


def _accept_connections(wrapper) -> None:
    settings_dict = getattr(wrapper, "settings_before_outage", None)
    if settings_dict is not None:
        wrapper.settings_dict = settings_dict
        del wrapper.settings_before_outage


class Watchdog:
    def __init__(self):
        self._lock = threading.Lock()
        # By thread: (deadline, the thread's connection wrapper).
        self._armed: dict[int, tuple[float, object]] = {}
        self._thread: threading.Thread | None = None
        self._pid = None
        # While open, API requests and /readyz answer 503 without trying.
        self.backoff = Backoff("Database", "DB_BACKOFF_SECONDS")

    def unavailable(self) -> bool:
        return self.backoff.open()

    @contextmanager
    def deadline(self):
        """Arm the deadline for this thread's database work until the block ends."""
        self._start()
        key = threading.get_ident()
        self._arm(key)
        try:
            yield
        finally:
            with self._lock:
                self._armed.pop(key, None)
            _accept_connections(connections["default"])

    @contextmanager
    def paused(self):
        """A wait that is not the database's (a list waiting for its turn): the deadline
        starts afresh after it."""
        key = threading.get_ident()
        with self._lock:
            armed = self._armed.pop(key, None)
        try:
            yield
        finally:
            if armed is not None:
                self._arm(key)

    def note_error(self) -> None:
        """After a database error: a connection that could not be made, or is broken,
        means the server is out of reach."""
        wrapper = connections["default"]
        if wrapper.vendor == "postgresql" and (wrapper.connection is None or wrapper.connection.broken):
            if not hasattr(wrapper, "settings_before_outage"):
                self.backoff.trip("connection failed")
            _refuse_connections(wrapper)

    def _arm(self, key: int) -> None:
        with self._lock:
            self._armed[key] = (time.monotonic() + settings.DB_REQUEST_TIMEOUT_SECONDS, connections["default"])

    def _start(self) -> None:
        # Once per process (gunicorn forks its workers: each starts its own).
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._watch, name="db-deadline", daemon=True)
                self._thread.start()

    def _watch(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            with self._lock:
                expired = [key for key, (deadline, _) in self._armed.items() if deadline <= now]
                wrappers = [self._armed.pop(key)[1] for key in expired]
            for wrapper in wrappers:
                try:
                    self._cut(wrapper)
                except Exception:  # the watchdog must outlive any one connection's trouble
                    logger.exception("Could not cut a database connection")

    def _cut(self, wrapper) -> None:
        """Shut down the connection's socket under the thread that waits on it."""
        _refuse_connections(wrapper)
        pg = wrapper.connection
        if pg is None or pg.closed:
            return
        try:
            duplicate = socket.socket(fileno=os.dup(pg.pgconn.socket))
        except Exception:  # closed meanwhile: nothing waits on it
            return
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        finally:
            duplicate.close()
        self.backoff.trip(f"no answer within {settings.DB_REQUEST_TIMEOUT_SECONDS}s")


watchdog = Watchdog()


class DatabaseDeadlineMiddleware:
    """Every request's database work under the watchdog's deadline; while the database is
    known to be out of reach, API paths answer 503 at once (PostgreSQL only: SQLite is a
    local file, and its busy timeout bounds its waits)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = connections["default"].vendor == "postgresql"

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        if watchdog.unavailable() and request.path.startswith("/api/v1/"):
            from contacts_api.api.exceptions import UNAVAILABLE_MESSAGE, error_body  # needs DRF's settings

            response = JsonResponse(error_body(503, UNAVAILABLE_MESSAGE), status=503)
            response["Retry-After"] = str(max(1, round(settings.DB_BACKOFF_SECONDS)))
            return response
        with watchdog.deadline():
            return self.get_response(request)
