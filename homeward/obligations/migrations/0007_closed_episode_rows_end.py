"""A closed episode's stored rows all end at the closure (issue 11): the engine now ends a window
that lapsed before the closure too (it stays `missed`). Rows stored before this change are ended
here as the engine would, so that they leave the partial indexes of what is still to be done."""

from django.db import migrations

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


class Migration(migrations.Migration):

    dependencies = [
        ("episodes", "0005_report_indexes"),
        ("obligations", "0006_figures_by_episode"),
    ]

    # Written once for SQLite and PostgreSQL alike (correlated subqueries, no UPDATE ... FROM).
    operations = [migrations.RunSQL(ENDED, reverse_sql=migrations.RunSQL.noop)]
