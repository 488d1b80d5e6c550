from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import APIKey, User
from accounts.services import api_key_create, service_user
from clients.models import Client
from contacts_api.errors import ServiceError


class Command(BaseCommand):
    help = "Make an API key for a staff user; the key is printed once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="What the key is for.")
        parser.add_argument("--scope", choices=APIKey.Scope.values, default=APIKey.Scope.WRITE)
        parser.add_argument("--expires-in-days", type=int, default=None, metavar="N")
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="Email of the staff user who owns the key (default: the 'api' service user).",
        )
        parser.add_argument(
            "--client", type=int, metavar="ID",
            help="Bind the key to this client: it sees and changes that client's contacts alone.",
        )

    def handle(self, *args, name, scope, expires_in_days, user, client, **options):
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        bound = None
        if client is not None:
            bound = Client.objects.filter(pk=client).first()
            if bound is None:
                raise CommandError(f"No client with id {client}.")
        if user:
            owner = User.objects.filter(
                email__iexact=user, user_type=User.UserType.STAFF, deleted_at__isnull=True
            ).first()
            if owner is None:
                raise CommandError(f"No staff user with email {user!r}.")
        else:
            owner = service_user()
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            key, raw_key = api_key_create(user=owner, name=name, scope=scope, client=bound, expires_at=expires_at)
        except ServiceError as error:
            raise CommandError(error.message) from error
        expiry = key.expires_at.isoformat() if key.expires_at else "never"
        binding = f"bound to client {bound.pk} ({bound})" if bound else "for every client"
        self.stderr.write(
            f"Created {key.scope} key {key.prefix!r} ({key.name}) for {owner}, {binding}; expires: {expiry}. "
            "It is shown once:"
        )
        self.stdout.write(raw_key)
