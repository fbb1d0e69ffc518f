"""A closed episode's stored rows all end at the closure (issue 11): the engine now ends a window
that lapsed before the closure too (it stays `missed`). Rows stored before this change are ended
here as the engine would, so that they leave the partial indexes of what is still to be done."""

from django.db import migrations

# SQLite (a demonstration's or a test's database): correlated subqueries, as any SQLite has them.
ENDED = """
UPDATE obligations_storedobligation
SET ended_at = (SELECT e.closed_at FROM episodes_episode e WHERE e.id = obligations_storedobligation.episode_id),
    ended_reason = (SELECT e.close_reason FROM episodes_episode e WHERE e.id = obligations_storedobligation.episode_id)
WHERE ended_at IS NULL
  AND episode_id IN (SELECT e.id FROM episodes_episode e WHERE e.closed_at IS NOT NULL)
  AND arises_at <= (SELECT e.closed_at FROM episodes_episode e WHERE e.id = obligations_storedobligation.episode_id)
  AND (done_at IS NULL
       OR done_at > (SELECT e.closed_at FROM episodes_episode e WHERE e.id = obligations_storedobligation.episode_id))
"""

# PostgreSQL (a million episodes): one join of the closed episodes to their rows.
ENDED_POSTGRESQL = """
UPDATE obligations_storedobligation o
SET ended_at = e.closed_at, ended_reason = e.close_reason
FROM episodes_episode e
WHERE e.id = o.episode_id AND e.closed_at IS NOT NULL AND o.ended_at IS NULL AND o.arises_at <= e.closed_at
  AND (o.done_at IS NULL OR o.done_at > e.closed_at)
"""


def rows_end(apps: object, schema_editor: object) -> None:
    connection = schema_editor.connection  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(ENDED_POSTGRESQL if connection.vendor == "postgresql" else ENDED)


class Migration(migrations.Migration):

    dependencies = [
        ("episodes", "0005_report_indexes"),
        ("obligations", "0006_figures_by_episode"),
    ]

    # Backwards nothing to undo: a missed window reads `missed` with or without its end.
    operations = [migrations.RunPython(rows_end, migrations.RunPython.noop)]
