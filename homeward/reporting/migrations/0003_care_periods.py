"""Each child's runs of being looked after (`CarePeriod`), with what the SSDA903 Missing table
reads of the child, worked out again by triggers in the transaction of any change to their legal
statuses or to those facts, whatever wrote it (issue 11). PostgreSQL only: SQLite reads the
histories and the children themselves. The periods of the children already recorded are worked
out here (about a second at 1M)."""

import django.db.models.deletion
from django.db import migrations, models


CREATE = """
-- A child's periods from their statuses: the status in force on a day is the last recorded of
-- those that began latest on or before it (an undated one began before every date); a period is
-- a run of days looked after, ended by the first later start of a status that is not. The
-- children's rows are locked first, so that two transactions changing one child work out their
-- periods in turn, each from what the other committed.
CREATE FUNCTION reporting_care_periods_of(children bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT count(*) FROM (SELECT FROM children_child WHERE id = ANY(children) ORDER BY id
                          FOR NO KEY UPDATE) AS locked;
    DELETE FROM reporting_careperiod WHERE child_id = ANY(children);
    INSERT INTO reporting_careperiod (child_id, began, ended, external_id, date_of_birth, eighteenth_birthday,
                                      responsible_authority_id)
    SELECT c.id, NULLIF(runs.day, '-infinity'::date), runs.care_end, c.external_id, c.date_of_birth,
           CASE WHEN date_part('month', c.date_of_birth) = 2 AND date_part('day', c.date_of_birth) = 29
                THEN make_date(date_part('year', c.date_of_birth)::int + 18, 3, 1)
                ELSE (c.date_of_birth + INTERVAL '18 years')::date END,
           c.responsible_authority_id
    FROM (SELECT child_id, day, status, LAG(status) OVER w AS before,
                 MIN(day) FILTER (WHERE status <> 'looked_after')
                     OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS care_end
          FROM (SELECT DISTINCT ON (child_id, day) child_id, day, status
                FROM (SELECT child_id, COALESCE(started_on, '-infinity'::date) AS day, status, id
                      FROM children_legalstatusperiod WHERE child_id = ANY(children)) AS recorded
                ORDER BY child_id, day, id DESC) AS days
          WINDOW w AS (PARTITION BY child_id ORDER BY day)) AS runs
    JOIN children_child AS c ON c.id = runs.child_id
    WHERE runs.status = 'looked_after' AND runs.before IS DISTINCT FROM 'looked_after'
$$;

-- Once a statement, for the children whose statuses it changed (a bulk load's too).
CREATE FUNCTION reporting_care_periods_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM reporting_care_periods_of(ARRAY(SELECT DISTINCT child_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM reporting_care_periods_of(ARRAY(SELECT DISTINCT child_id FROM old_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM reporting_care_periods_of(ARRAY(SELECT child_id FROM new_rows UNION SELECT child_id FROM old_rows));
    ELSE
        DELETE FROM reporting_careperiod;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION reporting_care_periods_child_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reporting_care_periods_of(ARRAY[NEW.id]);
    RETURN NULL;
END $$;

CREATE TRIGGER reporting_care_periods_added AFTER INSERT ON children_legalstatusperiod
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_care_periods_changed();
CREATE TRIGGER reporting_care_periods_removed AFTER DELETE ON children_legalstatusperiod
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_care_periods_changed();
CREATE TRIGGER reporting_care_periods_changed AFTER UPDATE ON children_legalstatusperiod
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reporting_care_periods_changed();
CREATE TRIGGER reporting_care_periods_emptied AFTER TRUNCATE ON children_legalstatusperiod
    FOR EACH STATEMENT EXECUTE FUNCTION reporting_care_periods_changed();
-- What the periods carry of the child.
CREATE TRIGGER reporting_care_periods_child AFTER UPDATE OF external_id, date_of_birth, responsible_authority_id
    ON children_child FOR EACH ROW
    WHEN (OLD.external_id IS DISTINCT FROM NEW.external_id OR OLD.date_of_birth IS DISTINCT FROM NEW.date_of_birth
          OR OLD.responsible_authority_id IS DISTINCT FROM NEW.responsible_authority_id)
    EXECUTE FUNCTION reporting_care_periods_child_changed();

SELECT reporting_care_periods_of(ARRAY(SELECT DISTINCT child_id FROM children_legalstatusperiod));
ANALYZE reporting_careperiod;
"""

DROP = """
DROP TRIGGER reporting_care_periods_added ON children_legalstatusperiod;
DROP TRIGGER reporting_care_periods_removed ON children_legalstatusperiod;
DROP TRIGGER reporting_care_periods_changed ON children_legalstatusperiod;
DROP TRIGGER reporting_care_periods_emptied ON children_legalstatusperiod;
DROP TRIGGER reporting_care_periods_child ON children_child;
DROP FUNCTION reporting_care_periods_child_changed();
DROP FUNCTION reporting_care_periods_changed();
DROP FUNCTION reporting_care_periods_of(bigint[]);
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # several statements: no parameters
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0003_external_id_optional'),
        ('reporting', '0002_cohort_marks'),
    ]

    operations = [
        migrations.CreateModel(
            name='CarePeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('began', models.DateField(null=True)),
                ('ended', models.DateField(null=True)),
                ('external_id', models.CharField(blank=True, max_length=40)),
                ('date_of_birth', models.DateField()),
                ('eighteenth_birthday', models.DateField()),
                ('responsible_authority_id', models.BigIntegerField()),
                ('child', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='children.child')),
            ],
        ),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
