"""Marks of changes to past months' counts by cohort (ADR 0021), written by triggers in the
transaction of the change, whatever wrote it. PostgreSQL only: SQLite counts every month from
its episodes. The months are declared and rolled by the worker (`cohort_months_roll_due`)
within a minute of the upgrade; until then the report counts them from the episodes."""

from django.db import migrations

# The Europe/London month (its first day) of an instant, and the first instant of the month
# now: a write before that touches a past month.
_MONTH = "CAST(date_trunc('month', {0} AT TIME ZONE 'Europe/London') AS date)"
_CURRENT = "date_trunc('month', clock_timestamp(), 'Europe/London')"

CREATE = f"""
CREATE FUNCTION reporting_cohort_marks(months date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO reporting_cohortmark (month)
    SELECT DISTINCT month FROM unnest(months) AS month
    WHERE month < CAST({_CURRENT} AT TIME ZONE 'Europe/London' AS date)
$$;

CREATE FUNCTION reporting_cohort_child_marks(child bigint) RETURNS void LANGUAGE sql AS $$
    SELECT reporting_cohort_marks(ARRAY(
        SELECT {_MONTH.format("missing_since")} FROM episodes_episode WHERE child_id = child))
$$;

CREATE FUNCTION reporting_cohort_episode_marked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM reporting_cohort_marks(ARRAY[{_MONTH.format("NEW.missing_since")}]);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM reporting_cohort_marks(ARRAY[{_MONTH.format("OLD.missing_since")}]);
    ELSE
        PERFORM reporting_cohort_marks(ARRAY[{_MONTH.format("OLD.missing_since")},
                                             {_MONTH.format("NEW.missing_since")}]);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION reporting_cohort_history_marked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM reporting_cohort_child_marks(OLD.child_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.child_id IS DISTINCT FROM OLD.child_id) THEN
        PERFORM reporting_cohort_child_marks(NEW.child_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION reporting_cohort_child_marked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reporting_cohort_child_marks(NEW.id);
    RETURN NULL;
END $$;

-- Intake records the current month: the condition spares it the call.
CREATE TRIGGER reporting_cohort_episode_added AFTER INSERT ON episodes_episode FOR EACH ROW
    WHEN (NEW.missing_since < {_CURRENT}) EXECUTE FUNCTION reporting_cohort_episode_marked();
CREATE TRIGGER reporting_cohort_episode_removed AFTER DELETE ON episodes_episode FOR EACH ROW
    EXECUTE FUNCTION reporting_cohort_episode_marked();
-- What the counts read of an episode: its start, its length, its child, whether cancelled.
CREATE TRIGGER reporting_cohort_episode_changed
    AFTER UPDATE OF missing_since, found_at, status, child_id ON episodes_episode FOR EACH ROW
    WHEN (OLD.missing_since IS DISTINCT FROM NEW.missing_since OR OLD.found_at IS DISTINCT FROM NEW.found_at
          OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled')
          OR OLD.child_id IS DISTINCT FROM NEW.child_id)
    EXECUTE FUNCTION reporting_cohort_episode_marked();
CREATE TRIGGER reporting_cohort_child_changed AFTER UPDATE OF date_of_birth, sex ON children_child FOR EACH ROW
    WHEN (OLD.date_of_birth IS DISTINCT FROM NEW.date_of_birth OR OLD.sex IS DISTINCT FROM NEW.sex)
    EXECUTE FUNCTION reporting_cohort_child_marked();
CREATE TRIGGER reporting_cohort_legal_status AFTER INSERT OR DELETE ON children_legalstatusperiod FOR EACH ROW
    EXECUTE FUNCTION reporting_cohort_history_marked();
CREATE TRIGGER reporting_cohort_legal_status_changed
    AFTER UPDATE OF child_id, status, started_on ON children_legalstatusperiod FOR EACH ROW
    EXECUTE FUNCTION reporting_cohort_history_marked();
CREATE TRIGGER reporting_cohort_placement AFTER INSERT OR DELETE ON children_placement FOR EACH ROW
    EXECUTE FUNCTION reporting_cohort_history_marked();
CREATE TRIGGER reporting_cohort_placement_changed
    AFTER UPDATE OF child_id, authority_id, started_on, ended_on ON children_placement FOR EACH ROW
    EXECUTE FUNCTION reporting_cohort_history_marked();
"""

DROP = """
DROP TRIGGER reporting_cohort_episode_added ON episodes_episode;
DROP TRIGGER reporting_cohort_episode_removed ON episodes_episode;
DROP TRIGGER reporting_cohort_episode_changed ON episodes_episode;
DROP TRIGGER reporting_cohort_child_changed ON children_child;
DROP TRIGGER reporting_cohort_legal_status ON children_legalstatusperiod;
DROP TRIGGER reporting_cohort_legal_status_changed ON children_legalstatusperiod;
DROP TRIGGER reporting_cohort_placement ON children_placement;
DROP TRIGGER reporting_cohort_placement_changed ON children_placement;
DROP FUNCTION reporting_cohort_child_marked();
DROP FUNCTION reporting_cohort_history_marked();
DROP FUNCTION reporting_cohort_episode_marked();
DROP FUNCTION reporting_cohort_child_marks(bigint);
DROP FUNCTION reporting_cohort_marks(date[]);
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # several statements: no parameters
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("children", "0003_external_id_optional"),
        ("episodes", "0009_vacuum_after_places"),
        ("reporting", "0001_cohort_months"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
