import random

from django.core.management.base import BaseCommand
from django.db import transaction

from clients.models import Client
from contacts.services import contact_create, contact_set_account_owner, email_taken
from events.actors import SYSTEM

COMPANIES = [
    ("Analytical Engines Ltd", "https://engines.example.com"),
    ("Difference Works", "https://difference.example.com"),
    ("Jacquard Looms", "https://looms.example.com"),
    ("Babbage & Co", "https://babbage.example.com"),
    ("Hollerith Tabulating", "https://tabulating.example.com"),
]
FIRST_NAMES = ["Ada", "Charles", "Grace", "Alan", "Katherine", "John", "Margaret", "Edsger",
               "Barbara", "Donald", "Frances", "Tim", "Radia", "Ken", "Dennis", "Hedy"]
LAST_NAMES = ["Lovelace", "Babbage", "Hopper", "Turing", "Johnson", "Neumann", "Hamilton",
              "Dijkstra", "Liskov", "Knuth", "Allen", "Berners-Lee", "Perlman", "Thompson",
              "Ritchie", "Lamarr"]
POSITIONS = ["CTO", "CEO", "Engineer", "Accountant", "Office manager", None]


class Command(BaseCommand):
    help = "Load demo clients and contacts. Idempotent: existing rows are left alone."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=40, help="Contacts to make (default 40).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any client exists already."
        )

    @transaction.atomic
    def handle(self, *args, contacts, if_empty, **options):
        if if_empty and Client.objects.exists():
            self.stdout.write("Demo data: skipped, the database already has clients.")
            return
        rng = random.Random(42)  # the same demo data on every machine
        clients = []
        for index, (name, website) in enumerate(COMPANIES):
            client, _ = Client.objects.get_or_create(
                company_name=name,
                defaults={
                    "email": f"office@{website.split('//')[1]}",
                    "phone": f"+44 20 7946 {index:04d}",
                    "website": website,
                },
            )
            clients.append(client)
        created = 0
        for index in range(contacts):
            # Draw every value first, so that a skipped row does not shift the next ones.
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            phone = f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
            position = rng.choice(POSITIONS)
            email = f"{first}.{last}.{index}@example.com".lower()
            if email_taken(email):
                continue
            contact = contact_create(
                first_name=first,
                last_name=last,
                email=email,
                client=clients[index % len(clients)],
                phone=phone,
                job_position=position,
                status="inactive" if index % 9 == 8 else "active",
                actor=SYSTEM,
            )
            if index < len(clients):
                contact_set_account_owner(user=contact, actor=SYSTEM)
            created += 1
        self.stdout.write(f"Demo data: {len(clients)} clients, {created} new contacts.")
