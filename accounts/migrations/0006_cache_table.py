"""Create the database cache table when the cache is the database (no REDIS_URL).

Rate limits are counted in the cache on every request, so `migrate` alone must leave a
working deployment; `createcachetable` does nothing when the table exists or when the
cache is Redis.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_postgres_search_indexes")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
