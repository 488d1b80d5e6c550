"""Clients in bulk: matched by exact company name; one query per batch."""

from django.utils import timezone

from accounts.validators import PHONE_MAX_LENGTH, validate_phone
from dataio.bulk import update_changed
from dataio.columns import Column, clean_row, email_column, url_column

from .models import Client

COLUMNS = [
    Column("company_name", required=True, limit=Client._meta.get_field("company_name").max_length),
    email_column(default=""),
    Column("phone", limit=PHONE_MAX_LENGTH, validators=[validate_phone], default=""),
    url_column("website", limit=Client._meta.get_field("website").max_length, default=""),
    Column("status", choices=Client.Status.values, default=Client.Status.ACTIVE),
]
COLUMN_NAMES = [column.name for column in COLUMNS]
REQUIRED_COLUMNS = [{"company_name"}]
COMPARED_FIELDS = ["email", "phone", "website", "status"]


class ClientImporter:
    model = Client  # the table it fills (dataio.bulk.PlannerStatistics)

    def __init__(self, *, update: bool = False):
        self.update = update
        self._first_line: dict[str, int] = {}  # company name -> the line that had it first

    def clean_row(self, row) -> tuple[dict, list[tuple[str, str]]]:
        """(cleaned values, errors as (column, message)); no database access."""
        cleaned, errors = clean_row(COLUMNS, row.data)
        if not errors:
            first = self._first_line.setdefault(cleaned["company_name"], row.line)
            if first != row.line:
                errors.append(("company_name", f"Duplicate of line {first} in this file (the same company name)."))
        return cleaned, errors

    def write_batch(self, rows, report) -> list:
        """Write one batch; the (row, errors) that failed, for the caller to report."""
        failed = []
        names = [cleaned["company_name"] for _, cleaned in rows]
        existing: dict[str, list[dict]] = {}
        for found in Client.objects.filter(company_name__in=names).values("pk", "company_name", *COMPARED_FIELDS):
            existing.setdefault(found["company_name"], []).append(found)
        new, changes, now = [], [], timezone.now()
        for row, cleaned in rows:
            matches = existing.get(cleaned["company_name"], [])
            if not matches:
                new.append(Client(created_at=now, updated_at=now, **cleaned))
            elif len(matches) > 1:
                failed.append((row, [("company_name", f"{len(matches)} clients have this company name.")]))
            elif not self.update:
                report.skip(row, "company_name", "A client has this company name; --update updates it.")
            else:
                diff = {f: cleaned[f] for f in COMPARED_FIELDS if cleaned[f] != matches[0][f]}
                if diff:
                    changes.append((matches[0]["pk"], diff))
                else:
                    report.unchanged += 1
        if new:
            Client.objects.bulk_create(new)  # inside the batch's transaction
        update_changed(Client, changes)
        report.created += len(new)
        report.updated += len(changes)
        return failed


def export_rows(queryset):
    return queryset.order_by("id").values_list(*COLUMN_NAMES).iterator(chunk_size=2000)
