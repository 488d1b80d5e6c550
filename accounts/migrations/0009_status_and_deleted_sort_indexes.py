"""Indexes for `status` lists, on PostgreSQL only.

`status` lists are counted and paged through (status, id). Lists with status=active or
inactive also name `deleted_at IS NULL`, and status=deleted names `deleted_at IS NOT NULL`
(contacts/filters.py), so that the partial sort indexes serve them: those of the living
rows (0004), and here the small ones of the soft-deleted rows.
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
            "user_status_idx": "(status, id)",
            **{
                f"user_sort_{name}_deleted_idx": f"({expression}, id) WHERE deleted_at IS NOT NULL"
                for name, expression in SORTS.items()
            },
        }),
    ]
