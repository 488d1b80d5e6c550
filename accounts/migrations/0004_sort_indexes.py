"""Sort indexes for the contact list, on PostgreSQL only.

Each ends on id, the tie-breaker of every order (API.md 1.2), and serves both directions;
all leave out soft-deleted rows. The expressions are the ones the list orders by
(contacts/filters.py: LOWER() for text). SQLite, the embedded default for a few thousand
contacts, does without them: they would only slow its imports.
"""

from django.db import migrations

from ._postgres_indexes import postgres_indexes

ALIVE = "WHERE deleted_at IS NULL"
SORT_INDEXES = {
    "user_sort_first_name_idx": f"(LOWER(first_name), id) {ALIVE}",
    "user_sort_last_name_idx": f"(LOWER(last_name), id) {ALIVE}",
    "user_sort_email_idx": f"(LOWER(email), id) {ALIVE}",
    "user_sort_created_idx": f"(created_at, id) {ALIVE}",
    "user_sort_updated_idx": f"(updated_at, id) {ALIVE}",
}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_without_index")]

    operations = [postgres_indexes(SORT_INDEXES)]
