"""After 0008 rewrote every episode: the table vacuumed and analysed on PostgreSQL, outside a
transaction, so that its indexes are read alone again (the visibility map) and the planner knows
the new places' statistics before the next report, not when autovacuum comes round."""

from typing import Any

from django.db import migrations


def _vacuum(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("episodes", "Episode")._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('episodes', '0008_normalised_places'),
    ]

    operations = [
        migrations.RunPython(_vacuum, migrations.RunPython.noop, atomic=False),
    ]
