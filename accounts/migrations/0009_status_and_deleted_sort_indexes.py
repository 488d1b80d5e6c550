"""Indexes for `status` lists, on PostgreSQL only.

Lists with status=active or inactive also name `deleted_at IS NULL`, and status=deleted
names `deleted_at IS NOT NULL` (contacts/filters.py), so that partial indexes serve them:
- counts are index-only scans of (status, user_type) among living rows, and of
  (user_type) among soft-deleted ones (every contact query names user_type);
- sorted pages walk the sort indexes of the living rows (0004), and here the small ones
  of the soft-deleted rows.
"""

from django.db import migrations

from ._postgres_indexes import postgres_indexes, without_statement_timeout

SORTS = {
    "first_name": "LOWER(first_name)",
    "last_name": "LOWER(last_name)",
    "email": "LOWER(email)",
    "created": "created_at",
    "updated": "updated_at",
}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_timestamps_database_default")]

    operations = [
        without_statement_timeout(),
        postgres_indexes({
            "user_living_status_idx": "(status, user_type) WHERE deleted_at IS NULL",
            "user_deleted_type_idx": "(user_type) WHERE deleted_at IS NOT NULL",
            **{
                f"user_sort_{name}_deleted_idx": f"({expression}, id) WHERE deleted_at IS NOT NULL"
                for name, expression in SORTS.items()
            },
        }),
    ]
