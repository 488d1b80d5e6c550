"""Clients in bulk: matched by exact company name; one query per batch."""

from django.utils import timezone

from accounts.validators import EMAIL_MAX_LENGTH
from dataio import fields
from dataio.bulk import update_changed

from .models import Client

COLUMNS = ["company_name", "email", "phone", "website", "status"]
REQUIRED_COLUMNS = [{"company_name"}]
COMPANY_NAME_MAX_LENGTH = Client._meta.get_field("company_name").max_length
WEBSITE_MAX_LENGTH = Client._meta.get_field("website").max_length
COMPARED_FIELDS = ["email", "phone", "website", "status"]


class ClientImporter:
    def __init__(self, *, update: bool = False):
        self.update = update
        self._seen: set[str] = set()

    def clean_row(self, row) -> tuple[dict, list[tuple[str, str]]]:
        """(cleaned values, errors as (field, message)); no database access."""
        data = row.data
        errors = []
        cleaned = {}
        cleaned["company_name"], error = fields.text(
            data.get("company_name"), max_length=COMPANY_NAME_MAX_LENGTH, required=True
        )
        if error:
            errors.append(("company_name", error))
        if (data.get("email") or "").strip():
            cleaned["email"], error = fields.email(data["email"], max_length=EMAIL_MAX_LENGTH)
            if error:
                errors.append(("email", error))
        else:
            cleaned["email"] = ""
        phone, error = fields.phone(data.get("phone"))
        if error:
            errors.append(("phone", error))
        cleaned["phone"] = phone or ""
        website, error = fields.url(data.get("website"), max_length=WEBSITE_MAX_LENGTH)
        if error:
            errors.append(("website", error))
        cleaned["website"] = website or ""
        cleaned["status"], error = fields.choice(data.get("status"), Client.Status.values, default=Client.Status.ACTIVE)
        if error:
            errors.append(("status", error))
        if not errors:
            if cleaned["company_name"] in self._seen:
                errors.append(("company_name", "Duplicate of an earlier row in this file."))
            else:
                self._seen.add(cleaned["company_name"])
        return cleaned, errors

    def write_batch(self, rows, report) -> None:
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
                report.fail(row, [("company_name", f"{len(matches)} clients have this company name.")])
            elif not self.update:
                report.skipped += 1
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


def export_rows(queryset):
    return queryset.order_by("id").values_list(*COLUMNS).iterator(chunk_size=2000)
