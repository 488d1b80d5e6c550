"""Contacts in bulk: the columns of a file and how a batch of rows is written.

Rows are cleaned by columns over Django's validators and the rules of
accounts.validators, the ones the API's serializers apply; a batch is written by
contacts.services.contacts_bulk_write, the batch endpoint's write path.
"""

import threading

from accounts.models import User
from accounts.validators import (
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    POSITION_MAX_LENGTH,
    SOCIAL_MAX_LENGTH,
    SOCIAL_NETWORKS,
    validate_phone,
    validate_plain_text,
)
from clients.models import Client
from dataio.columns import Column, clean_row, email_column, id_column
from events.actors import command_actor

from .services import contacts_bulk_write

COLUMNS = [
    Column("first_name", required=True, limit=NAME_MAX_LENGTH, validators=[validate_plain_text]),
    Column("last_name", required=True, limit=NAME_MAX_LENGTH, validators=[validate_plain_text]),
    email_column(required=True),
    id_column("client_id"),
    Column("client", attname="client_name", limit=Client._meta.get_field("company_name").max_length),
    Column("phone", limit=PHONE_MAX_LENGTH, validators=[validate_phone]),
    Column("position", attname="job_position", limit=POSITION_MAX_LENGTH, validators=[validate_plain_text]),
    Column("status", choices=(User.Status.ACTIVE, User.Status.INACTIVE), default=User.Status.ACTIVE),
    *(Column(network, limit=SOCIAL_MAX_LENGTH, validators=[validate_plain_text]) for network in SOCIAL_NETWORKS),
    # Written by exports; read-only like the API's own (a row's version moves on its own).
    id_column("version"),
]
COLUMN_NAMES = [column.name for column in COLUMNS]
EXPORT_COLUMNS = [name for name in COLUMN_NAMES if name != "client"]
REQUIRED_COLUMNS = [{"first_name"}, {"last_name"}, {"email"}, {"client_id", "client"}]
# A service error names a model field; the file names its column.
COLUMN_OF = {column.attname: column.name for column in COLUMNS}
IN_FILE_DUPLICATE = "Duplicate of line {line} in this file (the same email)."
EXISTS = "A living user has this email; --update updates it."
IMPORT_ACTOR = command_actor("import_contacts")


class ContactImporter:
    model = User  # the table it fills (dataio.bulk.PlannerStatistics)

    def __init__(self, *, update: bool = False, send_email: bool = False):
        self.update = update
        self.send_email = send_email
        self._first_line: dict[str, int] = {}  # lower-cased email -> the line that had it first
        self._client_names: dict[str, list[int]] = {}
        self._names_lock = threading.Lock()
        # Whether the last batch written was all new rows (a first load): the next one
        # then goes in before its emails are looked up (contacts_bulk_write's
        # insert_first). After a batch with any other outcome (a re-run, a file that
        # overlaps the table) each batch looks up first, so that an insert is not written
        # and rolled back for every batch. Two writers may set it at once: it is a hint.
        self._all_new = True

    def clean_row(self, row) -> tuple[dict, list[tuple[str, str]]]:
        """(cleaned values, errors as (column, message)); no database access."""
        cleaned, errors = clean_row(COLUMNS, row.data)
        del cleaned["version"]
        name = cleaned.pop("client_name")
        if cleaned["client_id"] is None and "client_id" not in {field for field, _ in errors}:
            if name is None:
                errors.append(("client_id", "A client_id or a client name is required."))
            else:
                cleaned["client_name"] = name
        if not errors:
            first = self._first_line.setdefault(cleaned["email"].lower(), row.line)
            if first != row.line:
                errors.append(("email", IN_FILE_DUPLICATE.format(line=first)))
        return cleaned, errors

    def _resolve_names(self, rows) -> None:
        names = {c["client_name"] for _, c in rows if "client_name" in c} - set(self._client_names)
        for name in names:
            self._client_names[name] = []
        for pk, name in Client.objects.filter(company_name__in=names).values_list("pk", "company_name"):
            self._client_names[name].append(pk)

    def _client_error(self, cleaned) -> tuple[str, str] | None:
        """Set `client_id` from a company name; (column, message) if there is no one client."""
        if "client_name" not in cleaned:
            return None
        matches = self._client_names[cleaned.pop("client_name")]
        if not matches:
            return "client", "No client has this company name."
        if len(matches) > 1:
            return "client", f"{len(matches)} clients have this company name; use client_id."
        cleaned["client_id"] = matches[0]
        return None

    def write_batch(self, rows, report) -> list:
        """Write one batch; the (row, errors) that failed, for the caller to report.
        Two batches may be written at once (dataio.bulk.writers_for): the names found
        so far are shared, under a lock."""
        failed, writable = [], []
        with self._names_lock:
            if any("client_name" in cleaned for _, cleaned in rows):
                self._resolve_names(rows)
            for row, cleaned in rows:
                error = self._client_error(cleaned)
                if error:
                    failed.append((row, [error]))
                else:
                    writable.append((row, cleaned))
        results = contacts_bulk_write(
            [cleaned for _, cleaned in writable],
            update_existing=self.update,
            move_between_clients=True,
            actor=IMPORT_ACTOR,
            send_email=[self.send_email] * len(writable),
            insert_first=self._all_new,
        )
        self._all_new = all(outcome.result == "created" for outcome in results)
        for (row, _), outcome in zip(writable, results, strict=True):
            if outcome.result == "error":
                failed.append(
                    (row, [(COLUMN_OF.get(f, f), m) for f, messages in outcome.errors.items() for m in messages])
                )
            elif outcome.result == "skipped":
                report.skip(row, "email", EXISTS)
            else:
                setattr(report, outcome.result, getattr(report, outcome.result) + 1)
        return failed


def export_rows(queryset):
    """Contacts as tuples in EXPORT_COLUMNS order, streamed in id order."""
    values = [COLUMNS[COLUMN_NAMES.index(name)].attname for name in EXPORT_COLUMNS]
    return queryset.order_by("id").values_list(*values).iterator(chunk_size=2000)
