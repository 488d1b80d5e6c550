from django.core.management.base import BaseCommand
from django.db import transaction

from contacts.services import erase_deleted_contacts
from events.actors import SYSTEM
from events.services import purge_events
from idempotency.services import purge_expired


class Command(BaseCommand):
    help = (
        "Delete what is kept only for a while: contacts soft-deleted more than "
        "CONTACTS_ERASE_DELETED_AFTER_DAYS ago (erased), events older than EVENTS_RETENTION_DAYS "
        "and idempotency records older than API_IDEMPOTENCY_TTL_HOURS. Prints what it did."
    )

    def handle(self, *args, **options):
        for line in purge(stop=lambda: False):
            self.stdout.write(line)


def purge(*, stop) -> list[str]:
    """What `purge` does, also for the webhook worker's hourly run (in a thread of its own,
    which `stop()` ends between contacts); a line per kind of data."""
    # Erasure first: its contact.erased events are then kept for the events' retention.
    contacts = erase_deleted_contacts(actor=SYSTEM, stop=stop)
    with transaction.atomic():
        events = purge_events()
    records = purge_expired()
    return [f"deleted contacts erased: {contacts}", f"events deleted: {events}", f"idempotency records deleted: {records}"]
