"""Drop the plain index on user.client_id: user_client_alive_idx (client_id, id) serves.

Only that one index is dropped, by name. A plain AlterField(db_index=False) would let
PostgreSQL's schema editor drop every single-column index on client_id, the partial
unique index behind "one account owner per client" included.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_cache_table"),
        ("clients", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="user",
                    name="client",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="contacts",
                        to="clients.client",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS accounts_user_client_id_ad586a06",
                    'CREATE INDEX IF NOT EXISTS accounts_user_client_id_ad586a06 ON accounts_user ("client_id")',
                ),
            ],
        ),
    ]
