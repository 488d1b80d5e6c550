"""The shared shape of the import commands: arguments, exit codes, summary."""

import csv
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from . import bulk


class ImportCommand(BaseCommand):
    """Subclasses set `columns`, `required_columns` and `make_importer(options)`."""

    columns: list[str] = []
    required_columns: list[set[str]] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of a .csv or .jsonl file, or - for standard input.")
        parser.add_argument("--format", choices=bulk.FORMATS, help="csv or jsonl (default: from the extension; csv for -).")
        parser.add_argument("--update", action="store_true", help="Update existing rows instead of skipping them.")
        parser.add_argument("--dry-run", action="store_true", help="Validate everything and write nothing.")
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per transaction (default 1000).")
        parser.add_argument("--atomic", action="store_true", help="All or nothing: one failed row writes nothing.")
        parser.add_argument("--errors-file", metavar="PATH",
                            help="Also write the errors (and the skipped rows) as CSV: line, field, message, row.")
        parser.add_argument("--verbose", action="store_true", help="Also name each skipped row on stderr.")

    def make_importer(self, options):  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, *args, **options):
        # Exit codes are part of the interface: 0 all good, 1 rows failed, 2 bad usage or
        # an unreadable file, 130 interrupted (Django's CommandError always exits 1).
        code = self.run(options)
        if code:
            sys.exit(code)

    def run(self, options) -> int:
        if options["batch_size"] < 1:
            self.stderr.write("error: --batch-size must be at least 1")
            return bulk.EXIT_USAGE
        errors_stream = None
        stream = None
        try:
            file_format = bulk.detect_format(options["file"], options["format"])
            stream = bulk.open_input(options["file"])
            source = bulk.open_source(stream, file_format)
            if source.columns is not None:
                bulk.check_columns(source.columns, allowed=set(self.columns), required=self.required_columns)
            else:
                source = self._checked_lines(source)
            report = bulk.ImportReport(stderr=self.stderr, verbose=options["verbose"])
            if options["errors_file"]:
                errors_stream = open(options["errors_file"], "w", encoding="utf-8", newline="")  # noqa: SIM115
                report.errors_writer = csv.writer(errors_stream)
                report.errors_writer.writerow(["line", "field", "message", "row"])
        except (bulk.BulkUsageError, OSError) as error:  # OSError: the errors file
            if stream is not None and options["file"] != "-":
                stream.close()
            self.stderr.write(f"error: {error}")
            return bulk.EXIT_USAGE
        progress = bulk.Progress(self.stdout._out)
        interrupted = database_failed = False
        try:
            with bulk.interruptible():
                bulk.run_import(
                    self.make_importer(options),
                    source,
                    report,
                    batch_size=options["batch_size"],
                    dry_run=options["dry_run"],
                    atomic=options["atomic"],
                    progress=progress,
                )
        except bulk.Interrupted:
            interrupted = True
        except DatabaseError as error:
            # Not a bad row but the database failing: the batch in progress is rolled
            # back, the batches before it stay, and a re-run finishes the job.
            database_failed = True
            self.stderr.write(
                f"error: database error after line {report.last_line}; the batch in progress "
                f"was rolled back: {error}"
            )
        finally:
            progress.close()
            if errors_stream is not None:
                errors_stream.close()
            if stream is not None and options["file"] != "-":
                stream.close()
        if options["atomic"] and report.failed and not options["dry_run"]:
            self.stdout.write("--atomic: rows failed, so nothing was written.")
            report.created = report.updated = 0
        self.stdout.write(report.summary(dry_run=options["dry_run"], interrupted=interrupted))
        if interrupted:
            return bulk.EXIT_INTERRUPTED
        return bulk.EXIT_ROWS_FAILED if report.failed or database_failed else bulk.EXIT_OK

    def _checked_lines(self, source):
        """JSON Lines have no header: an unknown key fails its own line."""
        allowed = set(self.columns)
        for row in source:
            unknown = sorted(set(row.data) - allowed)
            if row.error is None and unknown:
                row.error = ("row", f"unknown key(s): {', '.join(unknown)}")
            yield row
