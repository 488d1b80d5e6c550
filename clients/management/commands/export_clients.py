from clients.filters import ClientFilterSet
from clients.importing import COLUMN_NAMES, export_rows
from clients.models import Client
from dataio.bulk import BulkUsageError
from dataio.export_command import ExportCommand


class Command(ExportCommand):
    help = "Export clients as CSV or JSON Lines, in the columns import_clients reads."
    columns = COLUMN_NAMES

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--search", help="substring of the company name, any case")
        parser.add_argument("--status", choices=Client.Status.values)

    def rows(self, options):
        params = {"search": options["search"]} if options["search"] is not None else {}
        filterset = ClientFilterSet(params, queryset=Client.objects.all())
        if not filterset.is_valid():
            raise BulkUsageError("; ".join(f"--{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
        queryset = filterset.qs
        if options["status"]:
            queryset = queryset.filter(status=options["status"])
        return export_rows(queryset)
