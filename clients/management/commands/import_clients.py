from clients.importing import COLUMN_NAMES, REQUIRED_COLUMNS, ClientImporter
from dataio.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import clients from CSV (header row) or JSON Lines. Columns: company_name, email, "
        "phone, website, status. Existing clients (same company name) are skipped, or updated "
        "with --update."
    )
    columns = COLUMN_NAMES
    required_columns = REQUIRED_COLUMNS

    def make_importer(self, options):
        return ClientImporter(update=options["update"])
