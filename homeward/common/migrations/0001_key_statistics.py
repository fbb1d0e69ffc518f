"""The planner told how many rows share an episode's or a child's key in the large tables
(PostgreSQL; nothing elsewhere), and those tables analysed again so that it knows at once.

ANALYZE estimates a column's distinct values from a sample of 30,000 rows, which for a key
shared by a dozen rows of a table of millions comes out far too few: at a million episodes it
put 45,294 episodes behind 12.4 million stored obligations, so 273 obligations an episode
instead of 12, and read one episode's obligations (the episode page, the obligations API) by
hashing every person of the installation for their owners (8 ms instead of 0.1). Set as a
fraction of the rows (a negative n_distinct), which holds at any size: what the protocol and
the casework make per episode or child, as the benchmark's national data has it.
"""

from typing import Any

from django.db import migrations

# (app, model, column, share): the share of the table's rows that are distinct values of the column.
SHARE = (
    ("obligations", "StoredObligation", "episode_id", -0.08),  # about 12 duties an episode
    ("obligations", "StoredObligation", "child_id", -0.016),  # about 60 a child
    ("children", "ChronologyEntry", "episode_id", -0.065),  # about 15 entries an episode
    ("children", "ChronologyEntry", "child_id", -0.0135),  # about 75 a child
    ("notifications", "Notification", "episode_id", -0.11),  # about 9 an episode
    ("notifications", "Notification", "child_id", -0.022),  # about 45 a child
    ("episodes", "Episode", "child_id", -0.2),  # about 5 episodes a child
    ("episodes", "EpisodeAction", "episode_id", -0.17),  # about 6 actions an episode
)


def _statistics(apps: Any, schema_editor: Any, *, reset: bool = False) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    tables = {app_model: schema_editor.quote_name(apps.get_model(*app_model)._meta.db_table)
              for app_model in dict.fromkeys((app, model) for app, model, _column, _share in SHARE)}
    with schema_editor.connection.cursor() as cursor:
        for app, model, column, share in SHARE:
            setting = "RESET (n_distinct)" if reset else f"SET (n_distinct = {float(share)})"
            cursor.execute(f"ALTER TABLE {tables[app, model]} ALTER COLUMN {schema_editor.quote_name(column)} {setting}")
        for table in tables.values():  # each once
            cursor.execute(f"ANALYZE {table}")


def _reset(apps: Any, schema_editor: Any) -> None:
    _statistics(apps, schema_editor, reset=True)


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0003_external_id_optional"),
        ("episodes", "0009_vacuum_after_places"),
        ("notifications", "0002_escalations_secure_contacts"),
        ("obligations", "0010_duty_figures_by_day"),
    ]

    operations = [
        migrations.RunPython(_statistics, _reset),
    ]
