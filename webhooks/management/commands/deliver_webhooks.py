import logging
import signal
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from webhooks.services import deliver_due

logger = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 3600


class Command(BaseCommand):
    help = (
        "Deliver webhooks until stopped (SIGTERM or Ctrl-C), and run `purge` hourly. Several "
        "workers may run at once: each endpoint is leased to one of them at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")

    def handle(self, *args, **options):
        if options["once"]:
            self.stdout.write(f"delivered: {deliver_due()}")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        last_purge = 0.0
        self.stdout.write("Delivering webhooks; stop with SIGTERM or Ctrl-C.")
        try:
            while not stopping:
                try:
                    if time.monotonic() - last_purge >= PURGE_EVERY_SECONDS:
                        call_command("purge", stdout=self.stdout)
                        last_purge = time.monotonic()
                    deliver_due()
                except DatabaseError as error:  # an outage: wait and try again, never exit
                    logger.warning("Webhook worker: database error, retrying: %s", error)
                    close_old_connections()
                    time.sleep(5)
                time.sleep(settings.WEBHOOKS_POLL_SECONDS)
        except KeyboardInterrupt:
            pass
