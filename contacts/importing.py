"""Contacts in bulk: how a file row is cleaned and how a batch of rows is written.

Rows are checked with the API's limits and validators (dataio.fields over
accounts.validators). Uniqueness and clients are checked for a whole batch with one
query each, never one per row; the database constraints stay the last word.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower

from accounts.models import User
from accounts.validators import (
    DUPLICATE_EMAIL,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    POSITION_MAX_LENGTH,
    SOCIAL_MAX_LENGTH,
    SOCIAL_NETWORKS,
    normalize_email,
)
from clients.models import Client
from dataio import fields
from dataio.bulk import update_changed

from .services import contacts_bulk_insert, enqueue_welcome_email

COLUMNS = [
    "first_name", "last_name", "email", "client_id", "client", "phone", "position", "status",
    *SOCIAL_NETWORKS,
]
EXPORT_COLUMNS = [c for c in COLUMNS if c != "client"]
REQUIRED_COLUMNS = [{"first_name"}, {"last_name"}, {"email"}, {"client_id", "client"}]
# Fields an --update may change, as stored on the model.
COMPARED_FIELDS = ["first_name", "last_name", "client_id", "phone", "job_position", "status", *SOCIAL_NETWORKS]
IMPORT_STATUSES = (User.Status.ACTIVE, User.Status.INACTIVE)
OWNER_MOVE = "The contact is its client's account owner; an import never changes the account owner."


class ContactImporter:
    def __init__(self, *, update: bool = False, send_email: bool = False):
        self.update = update
        self.send_email = send_email
        self._seen_emails: set[int] = set()  # hashes of lower-cased emails already in the file
        self._client_ids: set[int] = set()
        self._client_names: dict[str, list[int]] = {}
        self._batches = 0

    # --- one row ----------------------------------------------------------------------------

    def clean_row(self, row) -> tuple[dict, list[tuple[str, str]]]:
        """(cleaned values, errors as (field, message)); no database access."""
        data = row.data
        cleaned: dict = {}
        errors = []
        for name in ("first_name", "last_name"):
            cleaned[name], error = fields.text(data.get(name), max_length=NAME_MAX_LENGTH, required=True)
            if error:
                errors.append((name, error))
        email, error = fields.email(data.get("email"), max_length=EMAIL_MAX_LENGTH)
        if error:
            errors.append(("email", error))
        else:
            cleaned["email"] = normalize_email(email)
        cleaned["phone"], error = fields.phone(data.get("phone"))
        if error:
            errors.append(("phone", error))
        cleaned["job_position"], error = fields.text(data.get("position"), max_length=POSITION_MAX_LENGTH)
        if error:
            errors.append(("position", error))
        cleaned["status"], error = fields.choice(data.get("status"), IMPORT_STATUSES, default=User.Status.ACTIVE)
        if error:
            errors.append(("status", error))
        for network in SOCIAL_NETWORKS:
            value = data.get(network)
            if not value:  # the usual case: no handle, no call
                cleaned[network] = None
                continue
            cleaned[network], error = fields.text(value, max_length=SOCIAL_MAX_LENGTH)
            if error:
                errors.append((network, error))
        if (data.get("client_id") or "").strip():
            cleaned["client_id"], error = fields.positive_id(data["client_id"])
            if error:
                errors.append(("client_id", error))
        elif (data.get("client") or "").strip():
            cleaned["client_name"] = data["client"].strip()
        else:
            errors.append(("client_id", "A client_id or a client name is required."))
        if not errors:
            key = hash(cleaned["email"].lower())
            if key in self._seen_emails:
                errors.append(("email", "Duplicate of an earlier row in this file."))
            else:
                self._seen_emails.add(key)
        return cleaned, errors

    # --- one batch --------------------------------------------------------------------------

    def _resolve_clients(self, rows) -> None:
        ids = {c["client_id"] for _, c in rows if "client_id" in c} - self._client_ids
        if ids:
            self._client_ids |= set(Client.objects.filter(pk__in=ids).values_list("pk", flat=True))
        names = {c["client_name"] for _, c in rows if "client_name" in c} - set(self._client_names)
        if names:
            for name in names:
                self._client_names[name] = []
            for pk, name in Client.objects.filter(company_name__in=names).values_list("pk", "company_name"):
                self._client_names[name].append(pk)

    def _client_error(self, cleaned) -> tuple[str, str] | None:
        """Set `client_id` from a company name; (field, message) if there is no one client."""
        if "client_name" in cleaned:
            matches = self._client_names.get(cleaned.pop("client_name"), [])
            if not matches:
                return "client", "No client has this company name."
            if len(matches) > 1:
                return "client", f"{len(matches)} clients have this company name; use client_id."
            cleaned["client_id"] = matches[0]
        elif cleaned["client_id"] not in self._client_ids:
            return "client_id", "No client with this id exists."
        return None

    def _existing(self, rows) -> dict[str, dict]:
        """Living users with the batch's emails, by lower-cased email (one query)."""
        emails = [c["email"].lower() for _, c in rows]
        users = User.objects.filter(deleted_at__isnull=True).exclude(email="").order_by()
        columns = ["pk", "email", "user_type", "is_account_owner", *COMPARED_FIELDS]
        if connection.vendor == "postgresql":
            self._batches += 1
            with connection.cursor() as cursor:
                if str(self._batches).strip("0") == "1":
                    # Batches 1, 10, 100, ...: a big load leaves the statistics describing
                    # a much smaller table, and the planner then picks the wrong index.
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(User._meta.db_table)}")
                # A thousand probes of the unique email index cost a few ms; PostgreSQL
                # prefers a sequential scan of a table of a few hundred thousand rows,
                # which costs a hundred. Choose the plan on purpose, for this batch only.
                cursor.execute("SET LOCAL enable_seqscan = off")
            # One array parameter instead of a thousand: half the time of an IN list.
            found = users.extra(where=["LOWER(email) = ANY(%s::text[])"], params=[emails]).values(*columns)
        else:
            found = users.alias(email_lower=Lower("email")).filter(email_lower__in=emails).values(*columns)
        return {row["email"].lower(): row for row in found}

    def write_batch(self, rows, report) -> None:
        """Write one batch: all new rows in one statement, or sort out the ones that exist.

        Most batches of a load are all new, so the insert is tried first and the unique
        email index checks the whole batch at once. Only when it refuses (some emails
        exist) is the batch looked up (one query) and split into new, skipped, updated
        and failed rows.
        """
        self._resolve_clients(rows)
        resolved = []
        for row, cleaned in rows:
            error = self._client_error(cleaned)
            if error:
                report.fail(row, [error])
            else:
                resolved.append((row, cleaned))
        if self._insert_all(resolved, report):
            return
        existing = self._existing(resolved)
        new, changes = [], []
        for row, cleaned in resolved:
            current = existing.get(cleaned["email"].lower())
            if current is None:
                new.append((row, cleaned))
            elif current["user_type"] != User.UserType.CLIENT:
                report.fail(row, [("email", DUPLICATE_EMAIL)])
            elif not self.update:
                report.skipped += 1
            else:
                diff = {f: cleaned[f] for f in COMPARED_FIELDS if cleaned[f] != current[f]}
                if not diff:
                    report.unchanged += 1
                elif "client_id" in diff and current["is_account_owner"]:
                    report.fail(row, [("client_id", OWNER_MOVE)])
                else:
                    changes.append((current["pk"], diff))
        if not self._insert_all(new, report):
            self._insert_one_by_one(new, report)
        self._update(changes, report)

    def _insert_all(self, rows, report) -> bool:
        """Insert every row in one statement (a savepoint); False if the database refused."""
        try:
            with transaction.atomic():
                contacts_bulk_insert([cleaned for _, cleaned in rows])
        except IntegrityError:
            return False
        report.created += len(rows)
        self._created(rows)
        return True

    def _insert_one_by_one(self, rows, report) -> None:
        # A row that the lookup could not see (a concurrent writer): find it row by row.
        for row, cleaned in rows:
            try:
                with transaction.atomic():
                    contacts_bulk_insert([cleaned])
            except IntegrityError:
                report.fail(row, [("email", DUPLICATE_EMAIL)])
                continue
            report.created += 1
            self._created([(row, cleaned)])

    def _created(self, rows) -> None:
        if self.send_email and rows:
            emails = [cleaned["email"] for _, cleaned in rows]
            for pk in User.objects.filter(email__in=emails, deleted_at__isnull=True).values_list("pk", flat=True):
                transaction.on_commit(lambda pk=pk: enqueue_welcome_email(pk))

    def _update(self, changes, report) -> None:
        update_changed(User, changes)
        report.updated += len(changes)


def export_rows(queryset):
    """Contacts as tuples in EXPORT_COLUMNS order, streamed in id order."""
    values = ["first_name", "last_name", "email", "client_id", "phone", "job_position", "status", *SOCIAL_NETWORKS]
    return queryset.order_by("id").values_list(*values).iterator(chunk_size=2000)

