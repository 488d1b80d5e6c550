"""The shared shape of the export commands."""

import os
import sys

from django.core.management.base import BaseCommand

from . import bulk


class ExportCommand(BaseCommand):
    """Subclasses set `columns` and implement `rows(options)`, which may raise BulkUsageError."""

    columns: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="Output path (.csv or .jsonl); - or nothing for stdout.")
        parser.add_argument("--format", choices=bulk.FORMATS, help="csv or jsonl (default: from the extension; csv for stdout).")

    def handle(self, *args, **options):
        try:
            file_format = bulk.detect_format(options["file"], options["format"])
            rows = self.rows(options)
            stream, close = bulk.open_output(options["file"], stdout=self.stdout._out)
        except bulk.BulkUsageError as error:
            self.stderr.write(f"error: {error}")
            sys.exit(bulk.EXIT_USAGE)
        try:
            count = bulk.write_rows(stream, file_format, self.columns, rows)
            stream.flush()
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly, as Unix tools do. Python would
            # print a traceback when it flushes stdout at exit, so point stdout elsewhere.
            if hasattr(rows, "close"):
                rows.close()  # the database cursor, before the connection goes
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(bulk.EXIT_OK)
        finally:
            if close:
                stream.close()
        if close:
            self.stdout.write(f"Exported {count} rows to {options['file']}.")
