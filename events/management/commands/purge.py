from django.core.management.base import BaseCommand
from django.db import transaction

from events.services import purge_events
from idempotency.services import purge_expired


class Command(BaseCommand):
    help = (
        "Delete what is kept only for a while: events older than EVENTS_RETENTION_DAYS and "
        "idempotency records older than API_IDEMPOTENCY_TTL_HOURS. Prints what it did."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            events = purge_events()
        records = purge_expired()
        self.stdout.write(f"events deleted: {events}")
        self.stdout.write(f"idempotency records deleted: {records}")
