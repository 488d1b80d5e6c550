from django.core.management.base import BaseCommand, CommandError

from accounts.services import api_key_revoke
from contacts_api.errors import NotFoundError


class Command(BaseCommand):
    help = "Revoke the API key with this prefix (the 8 characters after 'ck_')."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        try:
            key = api_key_revoke(prefix=prefix)
        except NotFoundError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Revoked key {key.prefix} ({key.name}) at {key.revoked_at.isoformat()}.")
