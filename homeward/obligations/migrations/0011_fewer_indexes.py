"""Four fewer indexes on the stored obligations, each an insert for every row a report writes
(15 a report; issue 11): the episode's own (`obligation_unique_instance` begins with it), the
code's LIKE index (nothing matches codes by pattern; its plain index is kept, renamed), and the
owners' indexes made partial on the few rows that name one (what PROTECT asks before a person or
team is deleted)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _code_indexes(schema_editor):
    """The names of the indexes Django made for the code column (db_index=True): its plain one and,
    on PostgreSQL, its LIKE one."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "obligations_storedobligation")
    named = [name for name, about in found.items() if about["index"] and about["columns"] == ["code"]
             and not about["unique"] and name != "obligation_by_code"]
    like = [name for name in named if name.endswith("_like")]
    plain = [name for name in named if not name.endswith("_like")]
    return plain, like


def code_index_keep(apps, schema_editor):
    plain, like = _code_indexes(schema_editor)
    quote = schema_editor.quote_name
    for name in like:
        schema_editor.execute(f"DROP INDEX {quote(name)}")
    if plain and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {quote(plain[0])} RENAME TO {quote('obligation_by_code')}")
        return
    for name in plain:
        schema_editor.execute(f"DROP INDEX {quote(name)}")
    schema_editor.execute(f"CREATE INDEX {quote('obligation_by_code')} ON obligations_storedobligation (code)")


def code_index_back(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(f"DROP INDEX {quote('obligation_by_code')}")
    model = apps.get_model("obligations", "StoredObligation")
    field = model._meta.get_field("code")
    # The model as it was (code db_index=True): its plain index and, on PostgreSQL, its LIKE one.
    for statement in schema_editor._field_indexes_sql(model, field):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_exploitation_team_role'),
        ('children', '0003_external_id_optional'),
        ('episodes', '0009_vacuum_after_places'),
        ('obligations', '0010_duty_figures_by_day'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The code's plain index is kept under the name the model gives it (at national scale
        # it holds ten million rows: renamed, not built again).
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(code_index_keep, code_index_back)],
            state_operations=[
                migrations.AlterField(
                    model_name='storedobligation',
                    name='code',
                    field=models.SlugField(db_index=False, max_length=60),
                ),
                migrations.AddIndex(
                    model_name='storedobligation',
                    index=models.Index(fields=['code'], name='obligation_by_code'),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='storedobligation',
            name='episode',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='obligations', to='episodes.episode'),
        ),
        migrations.AlterField(
            model_name='storedobligation',
            name='owner_team',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.team'),
        ),
        migrations.AlterField(
            model_name='storedobligation',
            name='owner_user',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='storedobligation',
            index=models.Index(condition=models.Q(('owner_user__isnull', False)), fields=['owner_user'], name='obligation_owner_user'),
        ),
        migrations.AddIndex(
            model_name='storedobligation',
            index=models.Index(condition=models.Q(('owner_team__isnull', False)), fields=['owner_team'], name='obligation_owner_team'),
        ),
    ]
