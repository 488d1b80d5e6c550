import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

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
        self.stdout.write("Delivering webhooks; stop with SIGTERM or Ctrl-C.")
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhook") as pool:
            try:
                while not stopping.is_set():
                    running = {pk: future for pk, future in running.items() if not future.done()}
                    try:
                        if time.monotonic() - last_purge >= PURGE_EVERY_SECONDS:
                            call_command("purge", stdout=self.stdout)
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
            # The deliveries in flight finish (each within WEBHOOKS_TIMEOUT_SECONDS).
            pool.shutdown(wait=True, cancel_futures=True)
