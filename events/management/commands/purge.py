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
        # Erasure first: its contact.erased events are then kept for the events' retention.
        contacts = erase_deleted_contacts(actor=SYSTEM)
        with transaction.atomic():
            events = purge_events()
        records = purge_expired()
        self.stdout.write(f"deleted contacts erased: {contacts}")
        self.stdout.write(f"events deleted: {events}")
        self.stdout.write(f"idempotency records deleted: {records}")
