"""Sort indexes for the contact list, on PostgreSQL only.

Each ends on id, the tie-breaker of every order (API.md 1.2), and serves both directions;
all leave out soft-deleted rows. The expressions are the ones the list orders by
(contacts/filters.py: LOWER() for text). SQLite, the embedded default for a few thousand
contacts, does without them: they would only slow its imports.
"""

from django.db import migrations

SORT_INDEXES = {
    "user_sort_first_name_idx": "(LOWER(first_name), id)",
    "user_sort_last_name_idx": "(LOWER(last_name), id)",
    "user_sort_email_idx": "(LOWER(email), id)",
    "user_sort_created_idx": "(created_at, id)",
    "user_sort_updated_idx": "(updated_at, id)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in SORT_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON accounts_user {columns} WHERE deleted_at IS NULL"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SORT_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_without_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
