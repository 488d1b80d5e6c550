"""Operations for indexes that exist on PostgreSQL only, and for building them on big
tables (this module is not a migration: Django skips files whose names start with an
underscore)."""

from django.db import migrations


def postgres_indexes(indexes: dict[str, str]) -> migrations.RunPython:
    """CREATE INDEX name ON accounts_user <definition> for each item, on PostgreSQL only."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name, definition in indexes.items():
                schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON accounts_user {definition}")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name in indexes:
                schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)


def without_statement_timeout() -> migrations.RunPython:
    """Lift DB_STATEMENT_TIMEOUT_MS for the rest of this migration's transaction (PostgreSQL):
    rewriting or indexing a table of a million contacts takes longer than a request may."""

    def lift(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("SET LOCAL statement_timeout = 0")

    return migrations.RunPython(lift, lift)
