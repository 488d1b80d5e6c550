"""Trigram and prefix indexes for the contact search, on PostgreSQL only.

Django compiles `icontains` and `istartswith` to `UPPER(col::text) LIKE UPPER(...)`, so the
indexes are on that same expression: GIN with gin_trgm_ops for substrings (the equivalent
of GinIndex(OpClass(Upper(col), name="gin_trgm_ops"))), btree text_pattern_ops for the
prefixes of one- and two-character words, and a trigram index on the phone's digits.
SQLite has no such indexes; this migration does nothing there.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from ._postgres_indexes import postgres_indexes

ALIVE = "WHERE deleted_at IS NULL"
INDEXES = {
    **{
        f"user_search_{column}_trgm": f"USING gin ((UPPER({column}::text)) gin_trgm_ops) {ALIVE}"
        for column in ("first_name", "last_name", "email", "phone")
    },
    **{
        f"user_search_{column}_prefix": f"((UPPER({column}::text)) text_pattern_ops) {ALIVE}"
        for column in ("first_name", "last_name", "email")
    },
    "user_search_phone_digits_trgm": f"USING gin (phone_digits gin_trgm_ops) {ALIVE}",
}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_sort_indexes")]

    operations = [
        TrigramExtension(),
        postgres_indexes(INDEXES),
    ]
