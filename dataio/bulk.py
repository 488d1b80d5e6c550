"""Streaming bulk import and export: file formats, batches, errors, progress, summary.

The entity-specific parts (which columns, how a row is cleaned, how a batch is written)
live in `<app>/importing.py`; this module only moves rows. Files are read and written as
streams, so memory stays flat whatever their size.
"""

import csv
import gc
import io
import json
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
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
            if not "".join(values).strip():
                continue  # a blank line
            data = dict(zip(self.columns, values, strict=False))
            error = None
            if self._nul_lines and any(line in self._nul_lines for line in range(first, last + 1)):
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

    def add(self, batch: "ImportReport") -> None:
        """Count what a batch wrote (its own report) and take its skipped rows to flush."""
        self.created += batch.created
        self.updated += batch.updated
        self.unchanged += batch.unchanged
        self.skipped += batch.skipped
        self.skips.extend(batch.skips)

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


_END = object()


@contextmanager
def read_ahead(items: Iterable, depth: int = 2):
    """`items`, produced by a thread of their own up to `depth` ahead of the consumer.

    An import cleans its rows in pure Python and then waits for the database to write
    them; read ahead, the next batch is cleaned while the database writes this one (the
    driver releases the GIL while it waits), so the two overlap instead of adding up
    (docs/PERFORMANCE.md, Import). The producer stops when the consumer leaves, and its
    exceptions are raised in the consumer.
    """
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    leaving = threading.Event()

    def put(item) -> bool:
        while not leaving.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as error:  # noqa: BLE001 - raised again in the consumer
            put((_END, error))

    def consume():
        while True:
            item, error = handoff.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item

    producer = threading.Thread(target=produce, name="read-ahead", daemon=True)
    producer.start()
    try:
        yield consume()
    finally:
        leaving.set()
        producer.join()


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


# Batches written at once on PostgreSQL, each in its own transaction on its own
# connection: while one waits for the server (its COPY, its commit), the other's Python
# runs, and the server works on both (docs/PERFORMANCE.md, Import).
WRITERS = 2


def writers_for(*, atomic: bool, dry_run: bool) -> int:
    """One writer, on the caller's connection, where the batches must share a transaction
    (atomic, a dry run, a caller's own, the tests'), and on SQLite, which writes one
    transaction at a time; WRITERS on PostgreSQL otherwise."""
    if atomic or dry_run or connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return WRITERS


class RolledBack(Exception):
    """A batch that finished after the import stopped, rolled back rather than kept."""


class BatchWriters:
    """Write batches, each in a transaction of its own: inline with one writer, else on
    threads that each hold a database connection. `submit` gives a Future of the batch's
    (refused rows, the report of what it wrote)."""

    def __init__(self, importer, count: int):
        self.importer = importer
        self.stopping = threading.Event()
        self.jobs: queue.Queue = queue.Queue()
        self.threads = [threading.Thread(target=self._work, name=f"import-writer-{n}", daemon=True) for n in range(count if count > 1 else 0)]
        for thread in self.threads:
            thread.start()

    def submit(self, rows) -> Future:
        future: Future = Future()
        if self.threads:
            self.jobs.put((future, rows))
        else:
            self._write(future, rows)
        return future

    def _write(self, future: Future, rows) -> None:
        written = ImportReport(stderr=None)
        try:
            with transaction.atomic():
                refused = self.importer.write_batch(rows, written)
                if self.stopping.is_set():
                    raise RolledBack()
        except BaseException as error:  # noqa: BLE001 - raised again where the result is read
            future.set_exception(error)
        else:
            future.set_result((refused, written))

    def _work(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                self._write(*job)
        finally:
            connection.close()  # this thread's own

    def close(self) -> None:
        """Stop: a batch still being written is rolled back; wait for the threads."""
        self.stopping.set()
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()


class PlannerStatistics:
    """ANALYZE the table an import fills after its first batch, if the table had no
    statistics, and at the end.

    Each batch looks its rows up (the emails of a batch, say), planned from the table's
    statistics; to the planner, a table an import fills from empty stays empty until
    autovacuum looks, a minute or more later: at a million rows it scanned the whole
    table for each batch's lookup instead of using its index (1.3 s a batch;
    docs/PERFORMANCE.md, Import). Once it has statistics, the planner scales them with
    the table's size on its own; more ANALYZEs while the table grows cost 0.3 s each for
    nothing. The API's plans need them too (the one at the end). PostgreSQL only: SQLite
    plans these lookups from its indexes alone.
    """

    def __init__(self, model):
        self.table = model._meta.db_table if connection.vendor == "postgresql" else None
        self.known = self._estimate()
        self.since = 0

    def _estimate(self) -> int:
        if self.table is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass", [self.table])
            return cursor.fetchone()[0]

    def wrote(self, rows: int) -> None:
        self.since += rows
        if self.table is not None and self.known == 0 and self.since:
            self.analyze()

    def analyze(self) -> None:
        if self.table is None or not self.since:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(self.table)}")
        self.known, self.since = self._estimate(), 0


@contextmanager
def fewer_collections():
    """Python's cycle collector, run less often while rows stream through.

    An import allocates a dozen dicts a row and frees them a batch later; at the default
    thresholds the collector ran every 700 allocations and scanned every object Django
    had loaded, a fifth of the import's CPU (docs/PERFORMANCE.md, Import). The objects of
    before the import are frozen (never scanned again), the young generation collected
    every 100,000 allocations; both undone at the end.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def run_import(
    importer, source, report: ImportReport, *, batch_size: int, dry_run: bool, atomic: bool, progress: Progress
) -> None:
    """Clean every row, write each batch in one transaction (or all of them in one).

    A bad row is reported and skipped; the good rows of its batch still land, unless
    `atomic` (any failure rolls everything back) or `dry_run` (nothing is ever kept).
    `importer.write_batch(rows, report)` counts what it wrote (report.skip for a row it
    left alone) and returns the rows it refused, as (row, errors); each batch's failures
    and skipped rows are reported in line order, batch after batch, also when two are
    written at once (writers_for). When the import stops (an error, an interrupt), the
    batches written up to the first one that did not finish are counted; a batch after
    that one may have landed too, and a re-run finds its rows.
    """
    prepare_connection()
    outer = transaction.atomic() if (atomic or dry_run) else nullcontext()
    count = writers_for(atomic=atomic, dry_run=dry_run)
    writers = BatchWriters(importer, count)
    in_flight: deque = deque()  # (last line, rows read, bad rows, Future or None), in file order
    statistics = PlannerStatistics(importer.model)

    def settle() -> int:
        """Report the first batch in line; how many rows it wrote."""
        last_line, rows_read, bad, future = in_flight[0]
        wrote = 0
        if future is not None:
            refused, written = future.result()  # a batch that failed stays first in line
            report.add(written)
            wrote, bad = written.created + written.updated, bad + refused
        in_flight.popleft()
        report.flush(bad)
        report.last_line = last_line
        progress.update(report, rows_read)
        return wrote

    try:
        with fewer_collections(), outer, read_ahead(_cleaned_batches(importer, source, batch_size)) as batches:
            for last_line, rows_read, good, bad in batches:
                in_flight.append((last_line, rows_read, bad, writers.submit(good) if good else None))
                while len(in_flight) >= count:
                    statistics.wrote(settle())
            while in_flight:
                statistics.wrote(settle())
            statistics.analyze()
            if dry_run or (atomic and report.failed):
                transaction.set_rollback(True)
    finally:
        writers.close()
        # What landed before the stop, in order, up to the first batch that did not (no
        # ANALYZE here: the connection may be what failed).
        while in_flight and (in_flight[0][3] is None or _succeeded(in_flight[0][3])):
            settle()


def _succeeded(future: Future) -> bool:
    return future.done() and future.exception() is None


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
