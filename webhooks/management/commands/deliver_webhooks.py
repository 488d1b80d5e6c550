import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from events.management.commands.purge import purge
from webhooks.services import deliver_due, lease_due, serve, stopping

logger = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 3600


def _serve_in_thread(endpoint) -> None:
    try:
        serve(endpoint)
    except Exception:
        logger.exception("Webhook worker: serving %s failed", endpoint.pk)
    finally:
        connection.close()  # each thread's own connection


def _purge_in_thread(stdout) -> None:
    """The hourly purge beside the deliveries, never in their way (a backlog of erasures
    takes minutes); SIGTERM ends it after the contact in hand."""
    try:
        for line in purge(stop=stopping.is_set):
            stdout.write(line)
    except Exception:
        logger.exception("Webhook worker: purge failed; the next run tries again")
    finally:
        connection.close()


class Command(BaseCommand):
    help = (
        "Deliver webhooks until stopped (SIGTERM or Ctrl-C), and run `purge` hourly. Each "
        "endpoint is served in a thread of its own (WEBHOOKS_WORKER_THREADS), so a receiver "
        "that hangs delays nobody else; several workers may run at once: each endpoint is "
        "leased to one of them at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")

    def handle(self, *args, **options):
        if options["once"]:
            self.stdout.write(f"delivered: {deliver_due()}")
            return
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        threads = settings.WEBHOOKS_WORKER_THREADS
        running: dict[int, object] = {}
        last_purge = 0.0
        purging: threading.Thread | None = None
        self.stdout.write("Delivering webhooks; stop with SIGTERM or Ctrl-C.")
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhook") as pool:
            try:
                while not stopping.is_set():
                    running = {pk: future for pk, future in running.items() if not future.done()}
                    try:
                        if time.monotonic() - last_purge >= PURGE_EVERY_SECONDS and not (purging and purging.is_alive()):
                            purging = threading.Thread(target=_purge_in_thread, args=(self.stdout,), name="purge")
                            purging.start()
                            last_purge = time.monotonic()
                        free = threads - len(running)
                        if free:
                            for endpoint in lease_due(timezone.now(), limit=free, exclude=set(running)):
                                running[endpoint.pk] = pool.submit(_serve_in_thread, endpoint)
                    except DatabaseError as error:  # an outage: wait and try again, never exit
                        logger.warning("Webhook worker: database error, retrying: %s", error)
                        close_old_connections()
                        time.sleep(5)
                    time.sleep(settings.WEBHOOKS_POLL_SECONDS)
            except KeyboardInterrupt:
                stopping.set()
            # The deliveries in flight finish (each within WEBHOOKS_TIMEOUT_SECONDS), and the
            # purge after the contact it is erasing.
            pool.shutdown(wait=True, cancel_futures=True)
            if purging is not None:
                purging.join()
