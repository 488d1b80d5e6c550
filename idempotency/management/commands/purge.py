from django.core.management.base import BaseCommand

from idempotency.services import purge_expired


class Command(BaseCommand):
    help = "Delete what is kept only for a while: idempotency records past API_IDEMPOTENCY_TTL_HOURS."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"idempotency records deleted: {deleted}")
