"""Statistics the planner needs for the contact list, and an index for `status`; PostgreSQL only.

- The searched expressions (UPPER(col::text), as Django compiles icontains) get statistics
  of their own, and the phone's digits a larger sample: without them PostgreSQL guesses a
  LIKE's selectivity, and chose a seq scan to count 61 matches (docs/PERFORMANCE.md).
- `status` lists are counted and paged through (status, id). Lists with status=active or
  inactive also name `deleted_at IS NULL`, and status=deleted names `deleted_at IS NOT
  NULL` (contacts/filters.py), so that the partial sort indexes serve them: those of the
  living rows (0004), and here the small ones of the soft-deleted rows.
"""

from django.db import migrations

from ._postgres_indexes import postgres_indexes

SEARCHED = ("first_name", "last_name", "email", "phone")
TARGET = 500
SORTS = {
    "first_name": "LOWER(first_name)",
    "last_name": "LOWER(last_name)",
    "email": "LOWER(email)",
    "created": "created_at",
    "updated": "updated_at",
}


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        name = f"user_search_{column}_stats"
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {name} ON (UPPER({column}::text)) FROM accounts_user")
        schema_editor.execute(f"ALTER STATISTICS {name} SET STATISTICS {TARGET}")
    schema_editor.execute(f"ALTER TABLE accounts_user ALTER COLUMN phone_digits SET STATISTICS {TARGET}")
    schema_editor.execute("ANALYZE accounts_user")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS user_search_{column}_stats")
    schema_editor.execute("ALTER TABLE accounts_user ALTER COLUMN phone_digits SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_timestamps_database_default")]

    operations = [
        postgres_indexes({
            "user_status_idx": "(status, id)",
            **{
                f"user_sort_{name}_deleted_idx": f"({expression}, id) WHERE deleted_at IS NOT NULL"
                for name, expression in SORTS.items()
            },
        }),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
