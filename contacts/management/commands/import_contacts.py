from contacts.importing import COLUMN_NAMES, REQUIRED_COLUMNS, ContactImporter
from dataio.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import contacts from CSV (header row) or JSON Lines. Columns: first_name, last_name, "
        "email, client_id or client (exact company name), phone, position, status, linkedin, "
        "twitter, facebook, instagram, skype. Existing contacts (same email, any case) are "
        "skipped, or updated with --update."
    )
    columns = COLUMN_NAMES
    required_columns = REQUIRED_COLUMNS

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--send-email", action="store_true", help="Send the welcome email to created contacts.")

    def make_importer(self, options):
        return ContactImporter(update=options["update"], send_email=options["send_email"])
