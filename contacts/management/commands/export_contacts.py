from contacts.filters import ContactFilterSet
from contacts.importing import EXPORT_COLUMNS, export_rows
from contacts.models import Contact
from dataio.bulk import BulkUsageError
from dataio.export_command import ExportCommand


class Command(ExportCommand):
    help = (
        "Export contacts as CSV or JSON Lines, in the columns import_contacts reads, with the "
        "list filters of the API. Soft-deleted contacts only with --status deleted."
    )
    columns = EXPORT_COLUMNS

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--status", help="active, inactive or deleted (default: all but deleted)")
        parser.add_argument("--client-id", help="only the contacts of this client")
        parser.add_argument("--search", help="the API's search rule (words, phone digits)")

    def rows(self, options):
        params = {
            name: options[key]
            for name, key in (("status", "status"), ("client_id", "client_id"), ("search", "search"))
            if options[key] is not None
        }
        # The API's own FilterSet: the same parameters, values and errors.
        filterset = ContactFilterSet(params, queryset=Contact.objects.all())
        if not filterset.is_valid():
            messages = "; ".join(f"--{k.replace('_', '-')}: {' '.join(v)}" for k, v in filterset.errors.items())
            raise BulkUsageError(messages)
        return export_rows(filterset.qs)
