"""One searched value per contact, `search_text`, with one trigram index (PostgreSQL).

The search (contacts/models.py) matched a word against four upper-cased columns, each with
its own trigram index and three with a prefix index: every candidate row cost four
UPPER() calls, and the planner, taking the four columns for independent, overestimated
the matches of every common word (a word in the last name is in the email too). One
generated column holds the names and the email upper-cased between separators; one LIKE
on it answers a word in any of them, and its statistics describe what is searched. The
phone keeps a trigram index of its own (as it is: digits and punctuation have no case),
searched only by words that look like part of a phone number. Four trigram indexes become
two; the prefix indexes of short words (0005) stay. docs/PERFORMANCE.md has the figures.
"""

import django.db.models.functions.text
from django.db import migrations, models

import accounts.models

from ._postgres_indexes import postgres_indexes, without_statement_timeout

ALIVE = "WHERE deleted_at IS NULL"
OLD_INDEXES = {
    f"user_search_{column}_trgm": f"USING gin ((UPPER({column}::text)) gin_trgm_ops) {ALIVE}"
    for column in ("first_name", "last_name", "email", "phone")
}
# The default (100) samples 30,000 rows; a larger histogram estimates substrings better.
STATISTICS_TARGET = 500


def statistics(target):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for column in ("search_text", "phone_digits"):
                schema_editor.execute(f"ALTER TABLE accounts_user ALTER COLUMN {column} SET STATISTICS {target}")
            schema_editor.execute("ANALYZE accounts_user")

    return alter


def drop_old_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in OLD_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_old_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in OLD_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON accounts_user {definition}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_status_and_deleted_sort_indexes")]

    operations = [
        without_statement_timeout(),
        migrations.AddField(
            model_name="user",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=accounts.models.Joined(
                    models.Value("\x1f"),
                    django.db.models.functions.text.Upper("first_name"),
                    models.Value("\x1f"),
                    django.db.models.functions.text.Upper("last_name"),
                    models.Value("\x1f"),
                    django.db.models.functions.text.Upper("email"),
                ),
                output_field=models.TextField(),
            ),
        ),
        postgres_indexes({
            "user_search_text_trgm": f"USING gin (search_text gin_trgm_ops) {ALIVE}",
            "user_search_raw_phone_trgm": f"USING gin (phone gin_trgm_ops) {ALIVE}",
        }),
        migrations.RunPython(drop_old_indexes, create_old_indexes),
        migrations.RunPython(statistics(STATISTICS_TARGET), statistics(-1)),
    ]
