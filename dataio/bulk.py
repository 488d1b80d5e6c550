"""Streaming bulk import and export: file formats, batches, errors, progress, summary.

The entity-specific parts (which columns, how a row is cleaned, how a batch is written)
live in `<app>/importing.py`; this module only moves rows. Files are read and written as
streams, so memory stays flat whatever their size.
"""

import csv
import io
import json
import signal
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

FORMATS = ("csv", "jsonl")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
PROGRESS_EVERY_SECONDS = 5.0

EXIT_OK, EXIT_ROWS_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class BulkUsageError(Exception):
    """The command cannot run at all: bad arguments, an unreadable file, a bad header."""


class Interrupted(Exception):
    """Ctrl-C or SIGTERM: the current batch is rolled back."""


def detect_format(path: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    if path == "-":
        return "csv"
    for extension, name in EXTENSIONS.items():
        if path.lower().endswith(extension):
            return name
    raise BulkUsageError(f"cannot tell the format of {path!r}: use --format csv or --format jsonl")


@dataclass
class SourceRow:
    """One record of the file: its first line number and its values by column."""

    line: int
    data: dict
    error: tuple[str, str] | None = None  # (field, message) for a record that cannot be read


def open_input(path: str):
    """A text stream of the file (or stdin). A BOM is dropped; invalid UTF-8 is kept as
    surrogate escapes and reported on its line instead of stopping the whole import."""
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")  # noqa: SIM115
    except OSError as error:
        raise BulkUsageError(f"cannot read {path}: {error.strerror}") from error


class CSVSource:
    """Records of a CSV file with a header row."""

    def __init__(self, stream):
        self._nul_lines: set[int] = set()
        self._physical = 0
        csv.field_size_limit(1024 * 1024)
        self._reader = csv.reader(self._lines(stream))
        try:
            header = next(self._reader, None)
        except csv.Error as error:
            raise BulkUsageError(f"line 1: cannot read the header row: {error}") from error
        if header is None:
            raise BulkUsageError("the file is empty: a CSV file needs a header row")
        self.columns = [name.strip() for name in header]

    def _lines(self, stream):
        for line in stream:
            self._physical += 1
            if "\x00" in line:
                # csv refuses NUL bytes outright; note the line and report it as that
                # line's error rather than stopping the import.
                self._nul_lines.add(self._physical)
                line = line.replace("\x00", "")
            yield line

    def __iter__(self) -> Iterator[SourceRow]:
        width = len(self.columns)
        last = self._reader.line_num
        while True:
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield SourceRow(last + 1, {}, ("row", f"cannot parse this line: {error}"))
                last = self._reader.line_num
                continue
            first, last = last + 1, self._reader.line_num
            if not values or not any(value.strip() for value in values):
                continue  # a blank line
            data = dict(zip(self.columns, values, strict=False))
            error = None
            if any(line in self._nul_lines for line in range(first, last + 1)):
                error = ("row", "the line holds a NUL byte")
            elif len(values) != width:
                error = ("row", f"expected {width} fields, found {len(values)}")
            yield SourceRow(first, data, error)


class JSONLinesSource:
    """Records of a JSON Lines file: one object per line."""

    columns = None  # known per line only

    def __init__(self, stream):
        self._stream = stream

    def __iter__(self) -> Iterator[SourceRow]:
        for number, line in enumerate(self._stream, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as error:
                yield SourceRow(number, {}, ("row", f"invalid JSON: {error}"))
                continue
            except RecursionError:
                yield SourceRow(number, {}, ("row", "invalid JSON: it nests too deep"))
                continue
            if not isinstance(data, dict):
                yield SourceRow(number, {}, ("row", "expected a JSON object"))
                continue
            values, bad = {}, None
            for key, value in data.items():
                if value is None or isinstance(value, str):
                    values[key] = value
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    values[key] = str(value)
                else:
                    bad = (str(key), "expected a string, a number or null")
            yield SourceRow(number, values, bad)


def open_source(stream, file_format: str):
    return CSVSource(stream) if file_format == "csv" else JSONLinesSource(stream)


def check_columns(columns: Iterable[str], *, allowed: set[str], required: list[set[str]]) -> None:
    """Unknown, repeated or missing columns stop the import before anything is written.

    `required` lists alternatives: each set needs at least one of its columns.
    """
    columns = list(columns)
    unknown = [name for name in columns if name not in allowed]
    if unknown:
        raise BulkUsageError(
            f"unknown column(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(allowed))}"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise BulkUsageError(f"repeated column(s): {', '.join(repeated)}")
    for alternatives in required:
        if not alternatives & set(columns):
            raise BulkUsageError(f"missing column: {' or '.join(sorted(alternatives))}")


@dataclass
class ImportReport:
    """Counts and errors of one run."""

    stderr: object
    errors_writer: object = None
    verbose: bool = False  # also name each skipped row on stderr
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    last_line: int = 0
    started: float = field(default_factory=time.monotonic)
    # The current batch's skipped rows, reported with its failures in line order (flush).
    skips: list = field(default_factory=list)

    def counts(self) -> tuple[int, ...]:
        return self.created, self.updated, self.unchanged, self.skipped, self.failed

    def restore(self, counts: tuple[int, ...]) -> None:
        self.created, self.updated, self.unchanged, self.skipped, self.failed = counts
        self.skips.clear()

    def skip(self, row: SourceRow, field_name: str, reason: str) -> None:
        """Count a row left alone (it exists, and --update was not given); named in the
        errors file, and on stderr with --verbose, when the batch is flushed."""
        self.skipped += 1
        self.skips.append((row, field_name, reason))

    def flush(self, failures: list) -> None:
        """Report the batch's failures and skipped rows, in line order."""
        notes = [(row, errors, None) for row, errors in failures]
        notes += [(row, [(field_name, reason)], "skipped") for row, field_name, reason in self.skips]
        self.skips.clear()
        for row, errors, kind in sorted(notes, key=lambda note: note[0].line):
            if kind is None:
                self.fail(row, errors)
            else:
                self._skipped(row, *errors[0])

    def _skipped(self, row: SourceRow, field_name: str, reason: str) -> None:
        if self.verbose:
            self.stderr.write(f"line {row.line}: skipped: {field_name}: {reason}\n")
        if self.errors_writer is not None:
            self.errors_writer.writerow(
                [row.line, field_name, f"skipped: {reason}", json.dumps(row.data, ensure_ascii=False)]
            )

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped + self.failed

    def fail(self, row: SourceRow, errors: list[tuple[str, str]]) -> None:
        """Count the row as failed once and report each of its errors on a line."""
        self.failed += 1
        for field_name, message in errors:
            self.stderr.write(f"line {row.line}: {field_name}: {message}\n")
            if self.errors_writer is not None:
                self.errors_writer.writerow(
                    [row.line, field_name, message, json.dumps(row.data, ensure_ascii=False)]
                )

    def summary(self, *, dry_run: bool = False, interrupted: bool = False) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.processed / elapsed if elapsed > 0 else 0.0
        text = (
            f"created: {self.created}, updated: {self.updated}, unchanged: {self.unchanged}, "
            f"skipped: {self.skipped}, failed: {self.failed}, elapsed: {elapsed:.1f}s, "
            f"rows/s: {rate:,.0f}"
        )
        if dry_run:
            text = "dry run, nothing written: " + text
        if interrupted:
            text = (
                f"interrupted after line {self.last_line} (done up to there; the batch in "
                f"progress was rolled back). Re-run the same command to finish. {text}"
            )
        return text


class Progress:
    """A tqdm bar on a terminal; otherwise a plain line every few seconds."""

    def __init__(self, stream):
        self.stream = stream
        self.bar = None
        self.last = time.monotonic()
        if hasattr(stream, "isatty") and stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit=" rows", file=stream, dynamic_ncols=True)

    def update(self, report: ImportReport, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(rows)
            return
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_SECONDS:
            self.last = now
            self.stream.write(f"... {report.processed} rows, up to line {report.last_line}\n")
            self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def interruptible():
    """Turn SIGTERM (and Ctrl-C) into Interrupted, raised where the work is."""

    def stop(signum, frame):
        raise Interrupted()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except KeyboardInterrupt as error:
        raise Interrupted() from error
    finally:
        signal.signal(signal.SIGTERM, previous)


def batched(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _cleaned_batches(importer, source, batch_size: int):
    """(last line, rows read, good rows, bad rows) per batch; pure Python, no database."""
    for batch in batched(source, batch_size):
        good, bad = [], []
        for row in batch:
            if row.error is not None:
                bad.append((row, [row.error]))
                continue
            cleaned, errors = importer.clean_row(row)
            if errors:
                bad.append((row, errors))
            else:
                good.append((row, cleaned))
        yield batch[-1].line, len(batch), good, bad


def update_changed(model, changes: list[tuple[int, dict]]) -> None:
    """Apply (pk, {field: new value}) changes: one bulk UPDATE per set of changed fields,
    so a row never overwrites a field it does not change; `updated_at` is set too."""
    if not changes:
        return
    now = timezone.now()
    by_fields: dict[tuple, list] = {}
    for pk, diff in changes:
        by_fields.setdefault(tuple(sorted(diff)), []).append(model(pk=pk, updated_at=now, **diff))
    for names, instances in by_fields.items():
        model.objects.bulk_update(instances, [*names, "updated_at"])


def prepare_connection() -> None:
    """SQLite: checkpoint the write-ahead log every 200 MB rather than every 4 MB.

    Each checkpoint copies the pages that changed back into the database file and syncs
    it; a million-row import would otherwise do that after nearly every batch, for pages
    that the next batches change again. Nothing is less durable: commits still go to
    the log, and the log is checkpointed when the connection closes.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 50000")


def run_import(
    importer, source, report: ImportReport, *, batch_size: int, dry_run: bool, atomic: bool, progress: Progress
) -> None:
    """Clean every row, write each batch in one transaction (or all of them in one).

    A bad row is reported and skipped; the good rows of its batch still land, unless
    `atomic` (any failure rolls everything back) or `dry_run` (nothing is ever kept).
    `importer.write_batch(rows, report)` counts what it wrote (report.skip for a row it
    left alone) and returns the rows it refused, as (row, errors); each batch's failures
    and skipped rows are reported in line order.
    """
    prepare_connection()
    outer = transaction.atomic() if (atomic or dry_run) else nullcontext()
    with outer:
        for last_line, count, good, bad in _cleaned_batches(importer, source, batch_size):
            if good:
                counts = report.counts()
                try:
                    with transaction.atomic():
                        bad += importer.write_batch(good, report)
                except BaseException:
                    report.restore(counts)  # the batch was rolled back: so are its counts
                    raise
            report.flush(bad)
            report.last_line = last_line
            progress.update(report, count)
        if dry_run or (atomic and report.failed):
            transaction.set_rollback(True)


# --- export ------------------------------------------------------------------------------


def open_output(path: str | None, *, stdout=None):
    if path in (None, "-"):
        return stdout or sys.stdout, False
    try:
        return open(path, "w", encoding="utf-8", newline=""), True  # noqa: SIM115
    except OSError as error:
        raise BulkUsageError(f"cannot write {path}: {error.strerror}") from error


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZED = "'"


def spreadsheet_safe(value) -> str:
    """A CSV cell a spreadsheet will not run: text that begins like a formula gets a
    leading apostrophe (OWASP's advice for CSV injection); the import takes it off again."""
    if value is None:
        return ""
    text = str(value)
    return NEUTRALIZED + text if text.startswith(FORMULA_STARTS) else text


def write_rows(stream, file_format: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """Write rows (tuples in `columns` order) as CSV with a header, or as JSON Lines."""
    count = 0
    if file_format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([spreadsheet_safe(value) for value in row])
            count += 1
    else:
        for row in rows:
            stream.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False))
            stream.write("\n")
            count += 1
    return count
